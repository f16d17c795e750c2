package dev.drover.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.drover.api.ApiHandler;
import dev.drover.api.BearerToken;
import dev.drover.config.DroverConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.eclipse.jetty.http.HttpCookie;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The web dashboard, mounted in front of the API on the daemon's listeners. On TCP it serves the
 * static pages and the login, turns a valid session cookie (plus, on a state-changing request, its
 * CSRF token) into an authenticated API request, and passes everything else to the API unchanged,
 * so bearer-token clients see no difference. On the Unix socket it only adds the one-time login
 * link that `drover dashboard` prints.
 */
public final class DashboardHandler extends Handler.Wrapper {
    static final String COOKIE = "drover_session";
    static final String CSRF_HEADER = "X-CSRF-Token";
    /** No inline script or style, nothing from elsewhere, no framing. */
    static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_LOGIN_BODY = 4096;

    private final BearerToken token;
    private final Sessions sessions;
    private final LoginThrottle throttle;
    private final StaticFiles files = new StaticFiles();
    private final DependencyGraph graph;
    private final ResourceSampler sampler;
    private final Supplier<String> address;

    /**
     * @param config the configuration running now (the dependency graph is drawn from it)
     * @param address the {@code http://host:port} the TCP listener is reachable at, or null without one
     */
    /** @param sessionFile where logins outlive a restart of the daemon (in its runtime directory) */
    public DashboardHandler(
            ApiHandler api,
            String token,
            Supplier<DroverConfig> config,
            Supplier<String> address,
            java.nio.file.Path sessionFile) {
        this(
                api,
                token,
                config,
                address,
                new Sessions(Clock.systemUTC(), Duration.ofHours(12), Duration.ofMinutes(2), sessionFile, token),
                new LoginThrottle(Clock.systemUTC(), Duration.ofMinutes(1), 5, 50),
                Duration.ofSeconds(5));
    }

    DashboardHandler(
            ApiHandler api,
            String token,
            Supplier<DroverConfig> config,
            Supplier<String> address,
            Sessions sessions,
            LoginThrottle throttle,
            Duration sampleEvery) {
        super(api);
        this.token = token == null ? null : new BearerToken(token);
        this.sessions = sessions;
        this.throttle = throttle;
        this.graph = new DependencyGraph(config);
        this.sampler = new ResourceSampler(api.control(), sampleEvery, Duration.ofMinutes(10));
        this.address = address;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String path = request.getHttpURI().getPath();
        String method = request.getMethod();
        if (request.getConnectionMetaData().getLocalSocketAddress() instanceof UnixDomainSocketAddress) {
            if (path.equals("/dashboard/login-link") && method.equals("POST")) {
                loginLink(response, callback);
                return true;
            }
            return super.handle(request, response, callback);
        }
        securityHeaders(response);
        Sessions.Session session = sessions.find(cookie(request));
        if (path.startsWith("/ui/") && isRead(method)) {
            serveFile(response, callback, path.substring("/ui/".length()));
            return true;
        }
        switch (path) {
            case "/", "/index.html" -> {
                if (!isRead(method)) {
                    break;
                }
                if (session == null) {
                    redirect(response, callback, "/login");
                } else {
                    serveFile(response, callback, "index.html");
                }
                return true;
            }
            case "/login" -> {
                if (method.equals("POST")) {
                    login(request, response, callback);
                } else if (isRead(method)) {
                    String code = Request.extractQueryParameters(request).getValue("code");
                    if (code != null) {
                        redeem(request, response, callback, code);
                    } else {
                        serveFile(response, callback, "login.html");
                    }
                } else {
                    break;
                }
                return true;
            }
            default -> {}
        }
        if (session == null) {
            if (path.startsWith("/dashboard/") || path.equals("/logout")) {
                error(response, callback, 401, "log in first: no valid session (it may have expired)");
                return true;
            }
            // Bearer-token clients and the public routes: the API decides, as without a dashboard.
            return super.handle(request, response, callback);
        }
        if (!isRead(method)) {
            String refusal = csrfRefusal(request, session);
            if (refusal != null) {
                error(response, callback, 403, refusal);
                return true;
            }
        }
        switch (path) {
            case "/logout" -> {
                if (!method.equals("POST")) {
                    error(response, callback, 405, "use POST /logout");
                    return true;
                }
                sessions.close(session.id());
                Response.addCookie(response, cookieFor(request, "", 0));
                json(response, callback, 200, Map.of("status", "logged out"));
                return true;
            }
            case "/dashboard/session" -> {
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("csrf", session.csrf());
                body.put("expiresAt", session.expiresAtMillis());
                json(response, callback, 200, body);
                return true;
            }
            case "/dashboard/graph" -> {
                json(response, callback, 200, graph.describe());
                return true;
            }
            case "/dashboard/resources" -> {
                sampler.stream(response, callback);
                return true;
            }
            default -> {}
        }
        request.setAttribute(ApiHandler.AUTHENTICATED, Boolean.TRUE);
        return super.handle(request, response, callback);
    }

    @Override
    protected void doStop() throws Exception {
        sampler.close();
        super.doStop();
    }

    /** Why a state-changing request with a session is refused, or null when it carries its CSRF token. */
    private static String csrfRefusal(Request request, Sessions.Session session) {
        String presented = request.getHeaders().get(CSRF_HEADER);
        if (presented == null
                || !java.security.MessageDigest.isEqual(
                        presented.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                        session.csrf().getBytes(java.nio.charset.StandardCharsets.UTF_8))) {
            return "this request needs the session's " + CSRF_HEADER + " header";
        }
        String origin = request.getHeaders().get(HttpHeader.ORIGIN);
        if (origin != null) {
            String host = request.getHeaders().get(HttpHeader.HOST);
            String from;
            try {
                from = URI.create(origin).getRawAuthority();
            } catch (IllegalArgumentException e) {
                from = null;
            }
            if (from == null || !from.equalsIgnoreCase(host)) {
                return "cross-origin request from " + origin + " refused";
            }
        }
        return null;
    }

    private void login(Request request, Response response, Callback callback) throws IOException {
        String from = remoteAddress(request);
        Duration wait = throttle.waitFor(from);
        if (!wait.isZero()) {
            long seconds = Math.max(1, (wait.toMillis() + 999) / 1000);
            response.getHeaders().put(HttpHeader.RETRY_AFTER, seconds);
            error(response, callback, 429, "too many wrong tokens: try again in " + seconds + " s");
            return;
        }
        String type = request.getHeaders().get(HttpHeader.CONTENT_TYPE);
        if (type == null || !type.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
            // A cross-site form cannot send JSON without the browser asking first (CORS).
            error(response, callback, 415, "send the token as JSON: {\"token\": \"...\"}");
            return;
        }
        long length = request.getLength();
        if (length < 0 || length > MAX_LOGIN_BODY) {
            error(response, callback, 413, "the login body must have a Content-Length of at most " + MAX_LOGIN_BODY);
            return;
        }
        JsonNode body;
        try {
            body = JSON.readTree(Content.Source.asString(request));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            error(response, callback, 400, "malformed JSON: " + e.getOriginalMessage());
            return;
        }
        JsonNode typed = body == null ? null : body.get("token");
        if (typed == null || !typed.isTextual()) {
            error(response, callback, 400, "the body needs a \"token\" string");
            return;
        }
        if (token == null) {
            error(response, callback, 403, "the dashboard needs api.token in the configuration");
            return;
        }
        if (!token.matches(typed.asText())) {
            throttle.failed(from);
            error(response, callback, 401, "wrong token");
            return;
        }
        Sessions.Session session = sessions.open();
        Response.addCookie(
                response, cookieFor(request, session.id(), sessions.lifetime().toSeconds()));
        json(response, callback, 200, Map.of("status", "logged in", "expiresAt", session.expiresAtMillis()));
    }

    /** A one-time link from `drover dashboard`: only from this machine, only once. */
    private void redeem(Request request, Response response, Callback callback, String code) {
        String from = remoteAddress(request);
        if (!isLoopback(request)) {
            error(response, callback, 403, "a login link works only from this machine (loopback)");
            return;
        }
        // A valid code came through the daemon's private socket: it logs in even while wrong tokens
        // are throttled (256 random bits are not guessed); a wrong code counts as a wrong token.
        if (!sessions.redeem(code)) {
            throttle.failed(from);
            redirect(response, callback, "/login?expired=1");
            return;
        }
        Sessions.Session session = sessions.open();
        Response.addCookie(
                response, cookieFor(request, session.id(), sessions.lifetime().toSeconds()));
        redirect(response, callback, "/");
    }

    private void loginLink(Response response, Callback callback) {
        String base = address.get();
        if (base == null) {
            error(
                    response,
                    callback,
                    409,
                    "the dashboard is served on the API's TCP listener: set api.listen (and api.token) in the"
                            + " configuration and restart the daemon");
            return;
        }
        String code = sessions.issueCode();
        json(response, callback, 200, Map.of("url", base + "/", "login", base + "/login?code=" + code));
    }

    private void serveFile(Response response, Callback callback, String name) {
        StaticFiles.File file = files.get(name);
        if (file == null) {
            error(response, callback, 404, "no such dashboard file: " + name);
            return;
        }
        response.setStatus(200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, file.contentType());
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, file.bytes().length);
        response.write(true, ByteBuffer.wrap(file.bytes()), callback);
    }

    private static void securityHeaders(Response response) {
        response.getHeaders().put("Content-Security-Policy", CSP);
        response.getHeaders().put("X-Content-Type-Options", "nosniff");
        response.getHeaders().put("Referrer-Policy", "no-referrer");
        response.getHeaders().put("X-Frame-Options", "DENY");
    }

    private static HttpCookie cookieFor(Request request, String value, long maxAgeSeconds) {
        return HttpCookie.build(COOKIE, value)
                .path("/")
                .httpOnly(true)
                .sameSite(HttpCookie.SameSite.STRICT)
                .secure(request.isSecure())
                .maxAge(maxAgeSeconds)
                .build();
    }

    private static String cookie(Request request) {
        List<HttpCookie> cookies = Request.getCookies(request);
        for (HttpCookie cookie : cookies) {
            if (cookie.getName().equals(COOKIE) && !cookie.getValue().isEmpty()) {
                return cookie.getValue();
            }
        }
        return null;
    }

    private static boolean isRead(String method) {
        return method.equals("GET") || method.equals("HEAD");
    }

    private static String remoteAddress(Request request) {
        return request.getConnectionMetaData().getRemoteSocketAddress() instanceof InetSocketAddress inet
                        && inet.getAddress() != null
                ? inet.getAddress().getHostAddress()
                : "unknown";
    }

    private static boolean isLoopback(Request request) {
        return request.getConnectionMetaData().getRemoteSocketAddress() instanceof InetSocketAddress inet
                && inet.getAddress() != null
                && inet.getAddress().isLoopbackAddress();
    }

    private static void redirect(Response response, Callback callback, String location) {
        response.setStatus(303);
        response.getHeaders().put(HttpHeader.LOCATION, location);
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, 0);
        callback.succeeded();
    }

    static void json(Response response, Callback callback, int status, Object body) {
        byte[] bytes;
        try {
            bytes = JSON.writeValueAsBytes(body);
        } catch (IOException e) {
            callback.failed(e);
            return;
        }
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
        response.write(true, ByteBuffer.wrap(bytes), callback);
    }

    private static void error(Response response, Callback callback, int status, String message) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", message);
        body.put("detail", List.of());
        json(response, callback, status, body);
    }
}
