package dev.drover.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.drover.Waits;
import dev.drover.engine.Engine;
import dev.drover.engine.EngineControl;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile HTTP against a real {@link ApiServer} on TCP (with a token) over a real engine running one
 * process: malformed methods and request lines, path tricks ({@code ..}, {@code %2F},
 * {@code %2e%2e}, double encoding), overlong paths, huge and many headers, broken JSON, wrong
 * content types and lengths, bodies on GET, chunked bodies, no Host, HTTP/1.0, garbage bytes.
 *
 * <p>Requests come from a {@link Random} with a fixed seed, printed with the number of requests
 * sent; {@code -Ddrover.api.fuzz.seed=N} replays another seed. Checked for every answer: it is a
 * well-formed HTTP response; an error is a 4xx with a JSON {@code {"error": ...}} body; a 2xx
 * answers only a request that is legitimately valid. Without the token (or with a wrong one)
 * nothing changes: the process keeps its PID, no restart, still running. The server answers
 * {@code /alive} throughout and afterwards.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ApiFuzzTest {
    private static final String TOKEN = "the-right-token-0123456789";
    private static final String WRONG_TOKEN = "the-right-token-0123456780";
    private static final long DEFAULT_SEED = 20261123L;
    private static final int UNAUTHORIZED_REQUESTS = 1200;
    private static final int AUTHORIZED_REQUESTS = 600;
    private static final Duration BUDGET = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Statuses for malformed HTTP, given before any handler (or token check) sees the request. */
    private static final Set<Integer> PROTOCOL = Set.of(400, 411, 413, 414, 417, 426, 431);

    private static final Set<String> PUBLIC = Set.of("/health", "/health/detailed", "/ready", "/alive", "/metrics");
    private static final List<String> ROUTES = List.of(
            "/api/processes",
            "/api/processes/web",
            "/api/processes/web/start",
            "/api/processes/web/stop",
            "/api/processes/web/restart",
            "/api/processes/web/signal",
            "/api/processes/web/logs",
            "/api/logs",
            "/api/reload",
            "/api/shutdown",
            "/api/events",
            "/api",
            "/api/",
            "/health",
            "/health/detailed",
            "/ready",
            "/alive",
            "/metrics",
            "/",
            "/nope",
            "/api/processes/nope");
    private static final List<String> METHODS = List.of(
            "GET",
            "POST",
            "PUT",
            "DELETE",
            "HEAD",
            "OPTIONS",
            "TRACE",
            "PATCH",
            "CONNECT",
            "get",
            "Post",
            "PRI",
            "G\u00c9T",
            "GET\u0000",
            "",
            "-",
            "GET GET",
            "\tGET",
            "X".repeat(300),
            "M-SEARCH",
            "PROPFIND",
            "BREW");

    @TempDir
    Path dir;

    private TestEngines engines;
    private Engine engine;
    private ApiServer server;
    private int port;
    private final Map<String, Integer> statuses = new TreeMap<>();
    /** Refusals without a body, by status: Jetty's own, before the API's JSON error handler. */
    private final Map<Integer, Integer> bare = new TreeMap<>();

    private final Map<Integer, String> bareExamples = new TreeMap<>();
    private int sent;

    @BeforeEach
    void serve() throws Exception {
        engines = new TestEngines(dir);
        engine = engines.start("""
                processes:
                  web:
                    command: "exec sleep 300"
                    min_uptime: 0s
                """);
        EngineControl control = new EngineControl(engine, force -> {});
        ApiHandler handler = new ApiHandler(control, new Metrics(), TOKEN);
        handler.setReady(true);
        server = ApiServer.start(
                control,
                handler,
                dir.resolve("api.sock"),
                "127.0.0.1:0",
                new ApiServer.Timeouts(Duration.ofSeconds(30), Duration.ofSeconds(2)));
        port = server.tcpPort();
    }

    @AfterEach
    void stop() {
        try {
            server.stop();
        } finally {
            engines.close();
        }
    }

    /** One generated request: its bytes, and what a correct server may answer to it. */
    private record Request(String label, byte[] bytes, String method, String target, String version, boolean complete) {
        String describe() {
            String text = new String(bytes, StandardCharsets.ISO_8859_1);
            text = text.length() > 600 ? text.substring(0, 600) + "…(" + bytes.length + " bytes)" : text;
            return label + ":\n" + text.replace("\r", "\\r").replace("\n", "\\n\n");
        }
    }

    /** An answer as it came; {@code status} is -1 when the server closed without answering. */
    private record Answer(int status, String statusLine, Map<String, String> headers, byte[] body) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    @Test
    void hostileRequestsGetCleanRefusalsAndChangeNothingWithoutTheToken() throws Exception {
        long seed = Long.getLong("drover.api.fuzz.seed", DEFAULT_SEED);
        Random random = new Random(seed);
        long deadline = System.nanoTime() + BUDGET.toNanos();
        JsonNode before = running();
        assertThat(before.get("state").asText()).isEqualTo("running");
        int pid = before.get("pid").asInt();
        assertThat(pid).isPositive();
        Failures failures = new Failures();
        try {
            // Without the token (none, or a wrong one): nothing may change, and /api never answers 2xx.
            for (int i = 0; i < UNAUTHORIZED_REQUESTS && System.nanoTime() < deadline; i++) {
                Request request = generate(random, random.nextInt(3) == 0 ? WRONG_TOKEN : null);
                check(request, exchange(request), false, failures);
                if (i % 50 == 49) {
                    unchanged(pid, failures, "after request " + i);
                }
            }
            unchanged(pid, failures, "after the requests without the token");
            // With the token: hostile requests still get clean answers and the server goes on.
            for (int i = 0; i < AUTHORIZED_REQUESTS && System.nanoTime() < deadline; i++) {
                Request request = generate(random, TOKEN);
                check(request, exchange(request), true, failures);
            }
            Answer alive = exchange(simple("GET", "/alive", null));
            if (alive.status() != 200) {
                failures.add("GET /alive after the run failed", alive.statusLine());
            }
        } finally {
            System.out.printf(
                    "ApiFuzzTest: seed %d (-Ddrover.api.fuzz.seed=%d replays it), %d requests sent; statuses %s;"
                            + " of the 4xx, without a body (Jetty's own refusals): %s, for instance %s%n",
                    seed, seed, sent, statuses, bare, bareExamples);
        }
        assertThat(failures.report()).as("seed " + seed).isEmpty();
    }

    /**
     * {@code %61} is {@code a}: the token check looks at the raw path, the router at the decoded
     * one, so the check must not be skipped for a path that only spells {@code /api} differently.
     */
    @Test
    void anApiPathWithPercentEncodedLettersStillNeedsTheToken() throws Exception {
        int pid = running().get("pid").asInt();
        Answer list = exchange(simple("GET", "/%61pi/processes", null));
        Answer restart = exchange(simple("POST", "/%61pi/processes/web/restart", null));
        Answer wrong = exchange(simple("POST", "/%61%70%69/processes/web/stop", WRONG_TOKEN));
        assertThat(List.of(list, restart, wrong))
                .as("answers without the right token")
                .allSatisfy(answer -> assertThat(answer.status())
                        .as(answer.statusLine() + " " + answer.text())
                        .isEqualTo(401));
        JsonNode after = process();
        assertThat(after.get("pid").asInt()).as("pid after: %s", after).isEqualTo(pid);
        assertThat(after.get("restartCount").asInt()).isZero();
    }

    /** The process once its child runs (the engine starts it as the test begins). */
    private JsonNode running() {
        AtomicReference<JsonNode> last = new AtomicReference<>();
        Waits.until(
                Duration.ofSeconds(20),
                "web to run",
                () -> {
                    JsonNode p = process();
                    last.set(p);
                    return p.get("state").asText().equals("running")
                            && p.get("pid").asInt() > 0;
                },
                () -> "GET /api/processes/web last answered: " + last.get() + "\nthe engine sees:\n"
                        + TestEngines.describe(engine));
        return last.get();
    }

    /** The process as the API shows it to a client with the token. */
    private JsonNode process() throws IOException {
        Answer answer = exchange(simple("GET", "/api/processes/web", TOKEN));
        assertThat(answer.status())
                .as(answer.statusLine() + " " + answer.text())
                .isEqualTo(200);
        return JSON.readTree(answer.body());
    }

    /** Problems by kind, with the first examples of each, so that one run shows every kind. */
    private static final class Failures {
        private final Map<String, List<String>> byKind = new LinkedHashMap<>();
        private final Map<String, Integer> counts = new LinkedHashMap<>();

        void add(String kind, String example) {
            counts.merge(kind, 1, Integer::sum);
            List<String> examples = byKind.computeIfAbsent(kind, k -> new ArrayList<>());
            if (examples.size() < 2) {
                examples.add(example);
            }
        }

        List<String> report() {
            List<String> report = new ArrayList<>();
            byKind.forEach((kind, examples) ->
                    report.add(counts.get(kind) + " × " + kind + "\n" + String.join("\n", examples)));
            return report;
        }
    }

    private void unchanged(int pid, Failures failures, String when) throws IOException {
        JsonNode now = process();
        if (now.get("pid").asInt() != pid
                || now.get("restartCount").asInt() != 0
                || !now.get("state").asText().equals("running")) {
            failures.add("the process changed without the token", when + ": " + now);
        }
        Answer alive = exchange(simple("GET", "/alive", null));
        if (alive.status() != 200) {
            failures.add("GET /alive failed", when + ": " + alive.statusLine());
        }
    }

    private void check(Request request, Answer answer, boolean withToken, Failures failures) {
        statuses.merge(answer.status() < 0 ? "closed" : String.valueOf(answer.status()), 1, Integer::sum);
        String problem = problem(request, answer, withToken);
        if (problem != null) {
            failures.add(
                    problem,
                    "  answer: " + answer.statusLine() + " " + answer.headers() + " " + abbreviate(answer.text())
                            + "\n  request " + request.describe());
        }
    }

    /** What is wrong with this answer to this request, or null. */
    private String problem(Request request, Answer answer, boolean withToken) {
        if (answer.status() < 0) {
            // A server cannot answer a request it never fully received; anything else deserves an answer.
            return request.complete() ? "no HTTP answer (" + answer.statusLine() + ")" : null;
        }
        int status = answer.status();
        if (status < 200 || status > 599) {
            return "not a well-formed HTTP answer: " + answer.statusLine();
        }
        String path = normalized(request.target());
        boolean api = path != null && (path.equals("/api") || path.startsWith("/api/"));
        boolean http1 =
                request.version().equals("HTTP/1.1") || request.version().equals("HTTP/1.0");
        if (status == 505) {
            // HTTP Version Not Supported: the status RFC 9110 gives an unknown version; 5xx by definition.
            return http1 ? "505 for an " + request.version() + " request" : null;
        }
        if (status >= 200 && status < 300) {
            if (!withToken && api) {
                return "2xx for an /api request without the right token";
            }
            if (!withToken && !(request.method().equals("GET") && PUBLIC.contains(path))) {
                return "2xx for a request that is not a GET of a public route";
            }
            return null;
        }
        if (status >= 500) {
            boolean healthRoute = path != null && (path.startsWith("/health") || path.equals("/ready"));
            return withToken && status == 503 && healthRoute ? null : "server error " + status;
        }
        if (status < 400) {
            return "status " + status;
        }
        String error = null;
        if (answer.body().length == 0 && answer.header("content-type") == null && PROTOCOL.contains(status)) {
            // Jetty refuses some malformed requests before any handler runs, with an empty body.
            bare.merge(status, 1, Integer::sum);
            bareExamples.putIfAbsent(status, request.label());
        } else if (request.method().equals("HEAD")) {
            error = "no such route"; // a HEAD answer has no body to read the error from
        } else {
            String type = answer.header("content-type");
            if (type == null || !type.startsWith("application/json")) {
                return "error " + status + " without a JSON body (content-type " + type + ")";
            }
            try {
                JsonNode body = JSON.readTree(answer.body());
                error = body == null ? null : body.path("error").asText(null);
            } catch (IOException e) {
                return "error body is not JSON: " + e.getMessage();
            }
            if (error == null || error.isBlank()) {
                return "error body without an \"error\" text";
            }
        }
        if (!withToken
                && api
                && status != 401
                && !PROTOCOL.contains(status)
                && !(status == 404 && error != null && error.startsWith("no such route"))) {
            // A 404 "no such route" tells nothing; a 405, or a 404 naming processes, shows the request got past the
            // token check.
            return "an /api request without the right token got past the token check (" + status + ")";
        }
        return null;
    }

    /**
     * The path a lenient server could take the target for: percent-decoded (twice), dot segments
     * removed, slashes collapsed; null when the target has no path (garbage, {@code *}).
     */
    static String normalized(String target) {
        if (target == null) {
            return null;
        }
        String t = target;
        if (t.startsWith("http://") || t.startsWith("https://")) {
            int slash = t.indexOf('/', t.indexOf("//") + 2);
            t = slash < 0 ? "/" : t.substring(slash);
        }
        if (!t.startsWith("/")) {
            return null;
        }
        int cut = t.length();
        for (char c : new char[] {'?', '#', ';'}) {
            int at = t.indexOf(c);
            if (at >= 0) {
                cut = Math.min(cut, at);
            }
        }
        t = t.substring(0, cut);
        for (int i = 0; i < 2; i++) {
            try {
                t = URLDecoder.decode(t.replace("+", "%2B"), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                break;
            }
        }
        List<String> out = new ArrayList<>();
        for (String segment : t.split("/+")) {
            switch (segment) {
                case "", "." -> {}
                case ".." -> {
                    if (!out.isEmpty()) {
                        out.removeLast();
                    }
                }
                default -> out.add(segment);
            }
        }
        return "/" + String.join("/", out);
    }

    private static String abbreviate(String text) {
        return text.length() > 300 ? text.substring(0, 300) + "…" : text;
    }

    // ---- generating requests ----

    private static Request simple(String method, String target, String token) {
        String head = method + " " + target + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
                + (token == null ? "" : "Authorization: Bearer " + token + "\r\n")
                + (method.equals("POST") ? "Content-Length: 0\r\n" : "") + "\r\n";
        return new Request(
                method + " " + target, head.getBytes(StandardCharsets.UTF_8), method, target, "HTTP/1.1", true);
    }

    private Request generate(Random random, String token) {
        // Half the requests are well-formed HTTP with a hostile path, token or body, so that they reach
        // the API's own code; the other half are malformed in some other way as well.
        boolean chaos = random.nextBoolean();
        int kind = random.nextInt(100);
        if (chaos && kind < 8) {
            return garbage(random);
        }
        String method = !chaos
                ? pick(random, List.of("GET", "GET", "POST", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH"))
                : kind < 50 ? (random.nextBoolean() ? "GET" : "POST") : pick(random, METHODS);
        String target = target(random, token != null && token.equals(TOKEN));
        String version = switch (chaos ? random.nextInt(20) : random.nextInt(10) == 0 ? 0 : 19) {
            case 0 -> "HTTP/1.0";
            case 1 -> "HTTP/2.0";
            case 2 -> "";
            case 3 -> "http/1.1";
            case 4 -> "HTTP/1.1 extra";
            case 5 -> "HTTP/9.9";
            default -> "HTTP/1.1";
        };
        StringBuilder head = new StringBuilder();
        String sep = chaos && random.nextInt(25) == 0 ? "\n" : "\r\n";
        head.append(method)
                .append(chaos && random.nextInt(30) == 0 ? "  " : " ")
                .append(target);
        if (!version.isEmpty()) {
            head.append(' ').append(version);
        }
        head.append(sep);
        List<String> headers = new ArrayList<>();
        switch (chaos ? random.nextInt(12) : 11) {
            case 0 -> {} // no Host
            case 1 -> headers.add("Host: ");
            case 2 -> {
                headers.add("Host: localhost");
                headers.add("Host: evil.example");
            }
            case 3 -> headers.add("Host: " + "h".repeat(300) + ":99999");
            default -> headers.add("Host: localhost");
        }
        if (token != null) {
            headers.add(
                    switch (random.nextInt(14)) {
                        case 0 -> "authorization: bearer " + token;
                        case 1 -> "Authorization: Bearer  " + token + " ";
                        case 2 ->
                            "Authorization: Basic "
                                    + java.util.Base64.getEncoder()
                                            .encodeToString(("x:" + token).getBytes(StandardCharsets.UTF_8));
                        case 3 -> "Authorization: " + token;
                        default -> "Authorization: Bearer " + token;
                    });
        } else {
            switch (random.nextInt(10)) {
                case 0 -> headers.add("Authorization: Bearer");
                case 1 -> headers.add("Authorization: Bearer " + "x".repeat(random.nextInt(5000)));
                case 2 -> headers.add("Authorization: Bearer \u00ff\u0000");
                case 3 -> {
                    headers.add("Authorization: Bearer a");
                    headers.add("Authorization: Bearer b");
                }
                case 4 -> headers.add("Authorization: Negotiate abc");
                default -> {}
            }
        }
        if (random.nextInt(3) != 0) {
            headers.add("Connection: " + (random.nextInt(10) == 0 ? "keep-alive" : "close"));
        }
        switch (random.nextInt(12)) {
            case 0 -> headers.add("Content-Type: text/plain");
            case 1 -> headers.add("Content-Type: application/x-www-form-urlencoded");
            case 2 -> headers.add("Content-Type: application/json; charset=utf-16");
            case 3 -> headers.add("Content-Type: multipart/form-data; boundary=x");
            case 4 -> headers.add("Content-Type: ");
            case 5, 6, 7 -> headers.add("Content-Type: application/json");
            default -> {}
        }
        switch (chaos ? random.nextInt(25) : 24) {
            case 0 -> {
                for (int i = 0; i < 150 + random.nextInt(200); i++) {
                    headers.add("X-Many-" + i + ": " + i);
                }
            }
            case 1 -> headers.add("X-Huge: " + "y".repeat(4_000 + random.nextInt(120_000)));
            case 2 -> headers.add("No colon here");
            case 3 -> headers.add("X-Folded: a" + sep + " continued");
            case 4 -> headers.add("X-Bytes: \u00e9\u00ff\u0001");
            case 5 -> headers.add(": empty name");
            case 6 -> headers.add("X Space: v");
            case 7 -> headers.add("Expect: 100-continue");
            case 8 -> headers.add("Upgrade: websocket");
            case 9 -> headers.add("Transfer-Encoding: gzip");
            default -> {}
        }
        byte[] body = body(random);
        boolean complete = true;
        boolean chunked = false;
        boolean validChunks = false;
        switch (chaos ? random.nextInt(14) : random.nextInt(5) == 0 ? 6 : 13) {
            case 0 -> {} // a body without any length: read as no body, the rest as a next request
            case 1 ->
                headers.add(
                        "Content-Length: " + (body.length + 1 + random.nextInt(100))); // too long: the body never ends
            case 2 -> headers.add("Content-Length: -1");
            case 3 -> headers.add("Content-Length: 99999999999999999999");
            case 4 -> {
                headers.add("Content-Length: " + body.length);
                headers.add("Content-Length: " + (body.length + 5));
            }
            case 5 -> headers.add("Content-Length: 0x10");
            case 6, 7 -> {
                headers.add("Transfer-Encoding: chunked");
                chunked = true;
                validChunks = !chaos;
            }
            case 8 -> {
                headers.add("Transfer-Encoding: chunked");
                headers.add("Content-Length: " + body.length);
                chunked = true;
            }
            default -> {
                if (body.length > 0 || method.equals("POST")) {
                    headers.add("Content-Length: " + body.length);
                }
            }
        }
        if (random.nextInt(8) == 0) {
            java.util.Collections.shuffle(headers, random);
        }
        for (String header : headers) {
            head.append(header).append(sep);
        }
        if (chaos && random.nextInt(60) == 0) {
            complete = false; // the head never ends
        } else {
            head.append(sep);
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.writeBytes(head.toString()
                .getBytes(random.nextInt(10) == 0 ? StandardCharsets.ISO_8859_1 : StandardCharsets.UTF_8));
        if (complete) {
            bytes.writeBytes(chunked ? chunk(random, body, validChunks) : body);
        }
        String label = method + " " + abbreviate(target)
                + (token == null ? " (no token)" : token.equals(TOKEN) ? " (token)" : " (wrong token)");
        return new Request(label, bytes.toByteArray(), method, target, version, complete);
    }

    /** A path to a route, twisted now and then: dot segments, encoded slashes and dots, double encoding, length. */
    private static String target(Random random, boolean withToken) {
        String route = pick(random, ROUTES);
        if (!withToken && random.nextInt(4) == 0) {
            route = pick(
                    random,
                    List.of(
                            "/api/processes/web/stop",
                            "/api/processes/web/restart",
                            "/api/processes/web/signal",
                            "/api/reload",
                            "/api/shutdown",
                            "/api/processes"));
        }
        String target = switch (random.nextInt(30)) {
            case 0 -> route.replace("/api/", "/%61pi/");
            case 1 -> route.replace("/", "%2F");
            case 2 -> route.replaceFirst("/api", "/api/..%2F..%2Fapi");
            case 3 -> "/x/.." + route;
            case 4 -> "/x/%2e%2e" + route;
            case 5 -> "/x/%252e%252e" + route;
            case 6 -> route.replace("/", "%252F");
            case 7 -> "/" + route;
            case 8 -> route + "/";
            case 9 -> route.replace("/api", "/API");
            case 10 -> route + ";jsessionid=1";
            case 11 -> route.replaceFirst("/", "/./");
            case 12 -> "http://localhost" + route;
            case 13 -> "*";
            case 14 -> route + "/" + "a".repeat(1 + random.nextInt(random.nextBoolean() ? 2_000 : 70_000));
            case 15 -> route + "?" + "q=".repeat(1 + random.nextInt(3000));
            case 16 -> route.replace("web", "..%2F..%2Fetc%2Fpasswd");
            case 17 -> route.replace("web", "%2e%2e");
            case 18 -> route.replace("web", "web%00");
            case 19 -> route.replace("web", "%E2%98%83%ZZ");
            case 20 ->
                route + "?lines=" + pick(random, List.of("-1", "abc", "99999999999", "", "1e3", "%00")) + "&follow="
                        + pick(random, List.of("true", "maybe", "", "0"));
            case 21 -> route.replace("web", "web.0");
            case 22 -> route + "#fragment";
            case 23 -> route.replace("/", "\\");
            case 24 -> route.replace("api", "api%00");
            default -> route;
        };
        return target;
    }

    private static byte[] body(Random random) {
        String body = switch (random.nextInt(16)) {
            case 0 -> "{\"signal\":\"HUP\"}";
            case 1 -> "{\"signal\":\"KILL\"}";
            case 2 -> "{\"signal\": ";
            case 3 -> "[1,2,3]";
            case 4 -> "\"just a string\"";
            case 5 -> "{\"signal\":" + "[".repeat(5000) + "]".repeat(5000) + "}";
            case 6 -> "{\"signal\":\"" + "x".repeat(Exchange.MAX_BODY + 10) + "\"}";
            case 7 -> "{\"signal\":\"\\ud800\"}";
            case 8 -> "{\"signal\":12345678901234567890}";
            case 9 -> "{\"signal\":null}";
            case 10 -> "null";
            case 11 -> "{\"a\":1,\"a\":2}";
            case 12 -> "\u0000\u0001\u00ff";
            default -> "";
        };
        return body.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] chunk(Random random, byte[] body, boolean valid) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        switch (valid ? 5 : random.nextInt(6)) {
            case 0 ->
                out.writeBytes(("zz\r\n" + new String(body, StandardCharsets.ISO_8859_1) + "\r\n0\r\n\r\n")
                        .getBytes(StandardCharsets.ISO_8859_1));
            case 1 -> out.writeBytes(("FFFFFFFFFFFFFFFFFF\r\nabc\r\n0\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            case 2 ->
                out.writeBytes((Integer.toHexString(body.length + 10) + "\r\n")
                        .getBytes(StandardCharsets.ISO_8859_1)); // never completed
            default -> {
                int at = 0;
                while (at < body.length) {
                    int n = Math.min(body.length - at, 1 + random.nextInt(4096));
                    out.writeBytes((Integer.toHexString(n) + (random.nextInt(5) == 0 ? ";ext=1" : "") + "\r\n")
                            .getBytes(StandardCharsets.ISO_8859_1));
                    out.write(body, at, n);
                    out.writeBytes("\r\n".getBytes(StandardCharsets.ISO_8859_1));
                    at += n;
                }
                out.writeBytes("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            }
        }
        return out.toByteArray();
    }

    /** Bytes that are not HTTP/1.1: random bytes, a TLS hello, the HTTP/2 preface, a bare line. */
    private static Request garbage(Random random) {
        byte[] bytes = switch (random.nextInt(5)) {
            case 0 -> {
                byte[] b = new byte[1 + random.nextInt(2000)];
                random.nextBytes(b);
                yield b;
            }
            case 1 -> new byte[] {0x16, 0x03, 0x01, 0x00, (byte) 0xa5, 0x01, 0x00, 0x00, (byte) 0xa1, 0x03, 0x03};
            case 2 -> "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
            case 3 -> "GET\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
            default -> {
                // Empty lines before a request line are allowed (RFC 9112, 2.2): this one is a valid GET /alive.
                byte[] b = "\r\n\r\n\r\nGET /alive HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                        .getBytes(StandardCharsets.US_ASCII);
                yield b;
            }
        };
        if (bytes[0] == '\r' && bytes.length < 100) {
            return new Request("blank lines, then GET /alive", bytes, "GET", "/alive", "HTTP/1.1", true);
        }
        // Random bytes may happen to be a complete request head; only then is an answer owed.
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        return new Request("garbage", bytes, "", null, "", text.contains("\r\n\r\n") || text.contains("\n\n"));
    }

    private static <T> T pick(Random random, List<T> values) {
        return values.get(random.nextInt(values.size()));
    }

    // ---- sending ----

    /** Sends the bytes on a fresh connection, half-closes, and reads one answer. */
    private Answer exchange(Request request) throws IOException {
        sent++;
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            socket.setSoTimeout(15_000);
            OutputStream out = socket.getOutputStream();
            try {
                out.write(request.bytes());
                out.flush();
                socket.shutdownOutput();
            } catch (IOException e) {
                // The server may answer and close before reading everything (a refused body): read what it said.
            }
            return read(socket.getInputStream());
        }
    }

    private static Answer read(InputStream in) throws IOException {
        String statusLine;
        try {
            statusLine = line(in);
        } catch (SocketTimeoutException e) {
            return new Answer(-1, "no answer within 15 s", Map.of(), new byte[0]);
        } catch (IOException e) {
            return new Answer(-1, "closed: " + e.getMessage(), Map.of(), new byte[0]);
        }
        if (statusLine == null) {
            return new Answer(-1, "closed without a byte", Map.of(), new byte[0]);
        }
        if (!statusLine.matches("HTTP/1\\.[01] \\d{3}( .*)?")) {
            return new Answer(999, statusLine, Map.of(), new byte[0]);
        }
        int status = Integer.parseInt(statusLine.substring(9, 12));
        Map<String, String> headers = new LinkedHashMap<>();
        for (String header = line(in); header != null && !header.isEmpty(); header = line(in)) {
            int colon = header.indexOf(':');
            if (colon <= 0) {
                return new Answer(999, "malformed header line in the answer: " + header, headers, new byte[0]);
            }
            headers.put(
                    header.substring(0, colon).trim().toLowerCase(Locale.ROOT),
                    header.substring(colon + 1).trim());
        }
        String type = headers.getOrDefault("content-type", "");
        byte[] body;
        if (type.startsWith("text/event-stream")) {
            body = new byte[0]; // a stream that would go on: the head is the answer
        } else if (headers.containsKey("content-length")) {
            body = in.readNBytes(Integer.parseInt(headers.get("content-length")));
        } else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (int n = Integer.parseInt(line(in).split(";")[0].trim(), 16);
                    n > 0;
                    n = Integer.parseInt(line(in).split(";")[0].trim(), 16)) {
                out.writeBytes(in.readNBytes(n));
                line(in);
            }
            body = out.toByteArray();
        } else {
            body = in.readAllBytes();
        }
        return new Answer(status, statusLine, headers, body);
    }

    /** A CRLF- (or LF-) terminated line, or null at the end of the stream. */
    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != '\n') {
            if (b < 0) {
                return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
            }
            line.write(b);
        }
        String text = line.toString(StandardCharsets.ISO_8859_1);
        return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
    }
}
