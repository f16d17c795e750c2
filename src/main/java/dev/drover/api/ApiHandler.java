package dev.drover.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drover.control.Control;
import dev.drover.control.ControlException;
import dev.drover.control.HealthReport;
import dev.drover.control.LogEntry;
import dev.drover.control.ProcessInfo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The HTTP control API over a {@link Control}: a routing table and one method per route. Every
 * error is a JSON {@code {"error": ..., "detail": ...}} with the status the failure maps to.
 *
 * <p>On a TCP connection every {@code /api} route needs {@code Authorization: Bearer <token>};
 * the health routes and {@code /metrics} are public. The Unix socket is guarded by its file mode
 * instead, so it needs no token.
 */
public final class ApiHandler extends Handler.Abstract {
    /**
     * A request attribute an outer handler sets (to {@code Boolean.TRUE}) on a TCP request it has
     * authenticated another way than the bearer token: the dashboard, by its session cookie and
     * CSRF token. Attributes come only from server code, never from the client.
     */
    public static final String AUTHENTICATED = "dev.drover.api.authenticated";

    static final int DEFAULT_LINES = 100;
    private static final int STREAM_QUEUE = 1024;
    private static final Duration HEARTBEAT = Duration.ofSeconds(15);
    /** Events kept for clients that resume a broken event stream. */
    private static final int EVENTS_KEPT = 1024;

    private final Control control;
    private final Metrics metrics;
    private final BearerToken token;
    private final int streamQueue;
    private final Duration heartbeat;
    private final Routes routes;
    private final Set<SseStream<?>> streams = ConcurrentHashMap.newKeySet();
    private final EventJournal journal;
    private final long startedAtMillis = System.currentTimeMillis();
    private volatile boolean ready;

    /** An API for the Unix socket only: no token, metrics of the API and the JVM alone. */
    public ApiHandler(Control control) {
        this(control, new Metrics(), null);
    }

    /**
     * @param token what TCP requests to {@code /api} must carry; null when there is no TCP listener
     */
    public ApiHandler(Control control, Metrics metrics, String token) {
        this(control, metrics, token, STREAM_QUEUE, HEARTBEAT);
    }

    /**
     * @param streamQueue lines a log stream holds for a slow client before it drops new ones
     * @param heartbeat how often an idle log stream writes a comment, which keeps the connection
     *     from timing out and notices a client that went away
     */
    ApiHandler(Control control, Metrics metrics, String token, int streamQueue, Duration heartbeat) {
        this.control = control;
        this.metrics = metrics;
        this.token = token == null ? null : new BearerToken(token);
        this.streamQueue = streamQueue;
        this.heartbeat = heartbeat;
        this.journal = new EventJournal(control, EVENTS_KEPT);
        this.routes = new Routes()
                .add("GET", "/api/processes", this::listProcesses)
                .add("GET", "/api/processes/{id}", this::showProcess)
                .add("POST", "/api/processes/{id}/start", this::startProcess)
                .add("POST", "/api/processes/{id}/stop", this::stopProcess)
                .add("POST", "/api/processes/{id}/restart", this::restartProcess)
                .add("POST", "/api/processes/{id}/run", this::runProcess)
                .add("GET", "/api/processes/{id}/exec", this::execContext)
                .add("POST", "/api/processes/{id}/signal", this::signalProcess)
                .add("POST", "/api/processes/{id}/scale", this::scaleProcess)
                .add("POST", "/api/processes/{id}/drain", x -> x.reply(200, control.drain(x.parameter("id"))))
                .add("POST", "/api/processes/{id}/undrain", x -> x.reply(200, control.undrain(x.parameter("id"))))
                .add("GET", "/api/routes", x -> x.reply(200, new Bodies.RouteList(control.routes())))
                .add("GET", "/api/processes/{id}/logs", this::processLogs)
                .add("GET", "/api/logs", this::logs)
                .add("POST", "/api/reload", this::reload)
                .add("POST", "/api/shutdown", this::shutdown)
                .add("GET", "/api/events", this::events)
                .add("GET", "/health", this::health)
                .add("GET", "/health/detailed", this::healthDetailed)
                .add("GET", "/metrics", this::metrics)
                .add("GET", "/ready", this::ready)
                .add("GET", "/alive", this::alive);
    }

    public Control control() {
        return control;
    }

    /** Whether {@code /ready} says 200 now. */
    public boolean isReady() {
        return ready;
    }

    /** Whether {@code /ready} says 200; the daemon sets it once started and clears it when stopping. */
    public void setReady(boolean ready) {
        this.ready = ready;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        // A reload that waits for slow stops is still answered: no idle timeout while handling.
        request.addIdleTimeoutListener(timeout -> false);
        long began = System.nanoTime();
        String[] route = {"unmatched"};
        Callback counted = Callback.from(
                () -> {
                    metrics.recordRequest(
                            request.getMethod(), route[0], response.getStatus(), System.nanoTime() - began);
                    callback.succeeded();
                },
                failure -> {
                    metrics.recordRequest(
                            request.getMethod(), route[0], response.getStatus(), System.nanoTime() - began);
                    callback.failed(failure);
                });
        Exchange exchange = new Exchange(request, response, counted);
        try {
            List<String> path = exchange.pathSegments();
            if (!authorized(exchange, path)) {
                return true;
            }
            switch (routes.match(request.getMethod(), path)) {
                case Routes.Match.Found found -> {
                    route[0] = found.pattern();
                    exchange.setParameters(found.parameters());
                    found.action().handle(exchange);
                }
                case Routes.Match.WrongMethod wrong -> {
                    response.getHeaders().put(HttpHeader.ALLOW, String.join(", ", wrong.allowed()));
                    exchange.error(
                            405,
                            request.getMethod() + " is not allowed on "
                                    + request.getHttpURI().getPath() + " (use " + String.join(" or ", wrong.allowed())
                                    + ")",
                            List.of());
                }
                case Routes.Match.Missing missing ->
                    exchange.error(
                            404,
                            "no such route: " + request.getMethod() + " "
                                    + request.getHttpURI().getPath(),
                            List.of());
            }
        } catch (ControlException e) {
            exchange.error(e.status() >= 400 && e.status() <= 599 ? e.status() : 502, e.getMessage(), e.details());
        } catch (RuntimeException e) {
            exchange.error(500, "internal error: " + e, List.of());
        }
        return true;
    }

    /** What TCP clients may ask without the token: health, readiness and metrics. */
    private static final Set<List<String>> PUBLIC = Set.of(
            List.of("health"), List.of("health", "detailed"), List.of("ready"), List.of("alive"), List.of("metrics"));

    /**
     * On TCP everything but the public routes needs the bearer token — deny by default, decided
     * on the same decoded path the router sees (so {@code /%61pi/…} is {@code /api/…} here too),
     * before routing, so an unauthenticated client learns nothing about routes or processes.
     * Answers 401 when the token is missing or wrong.
     */
    private boolean authorized(Exchange x, List<String> path) {
        Request request = x.request();
        if (!overTcp(request) || PUBLIC.contains(path) || Boolean.TRUE.equals(request.getAttribute(AUTHENTICATED))) {
            return true;
        }
        String header = request.getHeaders().get(HttpHeader.AUTHORIZATION);
        if (token == null) {
            // Cannot happen with a valid config (TCP needs a token); refuse rather than serve openly.
            x.response().getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer realm=\"drover\"");
            x.error(401, "the API on TCP needs api.token in the configuration", List.of());
            return false;
        }
        BearerToken.Verdict verdict = token.check(header);
        if (verdict == BearerToken.Verdict.ACCEPTED) {
            return true;
        }
        x.response()
                .getHeaders()
                .put(
                        HttpHeader.WWW_AUTHENTICATE,
                        verdict == BearerToken.Verdict.MISSING
                                ? "Bearer realm=\"drover\""
                                : "Bearer realm=\"drover\", error=\"invalid_token\"");
        x.error(
                401,
                verdict == BearerToken.Verdict.MISSING
                        ? "this route needs an Authorization: Bearer <token> header"
                        : "the bearer token is not valid",
                List.of());
        return false;
    }

    /** Whether the request came over TCP rather than the Unix socket; anything unknown counts as TCP. */
    private static boolean overTcp(Request request) {
        return !(request.getConnectionMetaData().getLocalSocketAddress() instanceof java.net.UnixDomainSocketAddress);
    }

    /** Ends every open log stream, so that a stopping server has no response left in flight. */
    void endStreams() {
        streams.forEach(SseStream::close);
    }

    @Override
    protected void doStop() throws Exception {
        endStreams();
        journal.close();
        super.doStop();
    }

    private void listProcesses(Exchange x) throws ControlException {
        x.reply(200, new Bodies.ProcessList(control.processes()));
    }

    private void showProcess(Exchange x) throws ControlException {
        x.reply(200, control.process(x.parameter("id")));
    }

    private void startProcess(Exchange x) throws ControlException {
        x.reply(202, control.start(x.parameter("id")));
    }

    private void stopProcess(Exchange x) throws ControlException {
        x.reply(202, control.stop(x.parameter("id")));
    }

    private void execContext(Exchange x) throws ControlException {
        x.reply(200, control.execContext(x.parameter("id")));
    }

    private void runProcess(Exchange x) throws ControlException {
        x.reply(202, control.run(x.parameter("id")));
    }

    private void restartProcess(Exchange x) throws ControlException {
        x.reply(202, control.restart(x.parameter("id")));
    }

    private void signalProcess(Exchange x) throws ControlException {
        JsonNode body = x.jsonObjectBody();
        x.reply(202, control.signal(x.parameter("id"), Exchange.requiredText(body, "signal")));
    }

    /** {@code {"replicas": N}}: N instances until the next reload; answers with the process's instances. */
    private void scaleProcess(Exchange x) throws ControlException {
        JsonNode body = x.jsonObjectBody();
        JsonNode replicas = body.get("replicas");
        if (replicas == null || replicas.isNull()) {
            throw new ControlException(400, "missing field \"replicas\" in the JSON body");
        }
        if (!replicas.isIntegralNumber() || !replicas.canConvertToInt()) {
            throw new ControlException(400, "field \"replicas\" must be a whole number of 1 or more, got " + replicas);
        }
        x.reply(200, new Bodies.ProcessList(control.scale(x.parameter("id"), replicas.intValue())));
    }

    /** {@code ?lines=N} of one process; with {@code &follow=true} they are followed by every new line. */
    private void processLogs(Exchange x) throws ControlException {
        logs(x, List.of(x.parameter("id")));
    }

    /** The same for several processes ({@code ?process=a&process=b}; all when none is named), merged by time. */
    private void logs(Exchange x) throws ControlException {
        logs(x, x.queryValues("process"));
    }

    private void logs(Exchange x, List<String> ids) throws ControlException {
        int lines = x.intQuery("lines", DEFAULT_LINES);
        if (lines < 0) {
            throw new ControlException(400, "lines must be 0 or more, got " + lines);
        }
        if (x.flagQuery("follow")) {
            follow(x, ids, lines);
        } else {
            x.reply(200, new Bodies.LogLines(history(ids, lines)));
        }
    }

    private void reload(Exchange x) throws ControlException {
        x.reply(200, control.reload());
    }

    /** Answers first: shutting down stops this very server. */
    private void shutdown(Exchange x) throws ControlException {
        boolean force = x.flagQuery("force");
        ready = false;
        x.reply(
                202,
                new Bodies.Status("stopping"),
                () -> Thread.ofPlatform().name("drover-api-shutdown").start(() -> shutdownControl(force)));
    }

    private void health(Exchange x) throws ControlException {
        HealthReport report = control.health();
        x.reply(report.healthy() ? 200 : 503, Bodies.Health.of(report));
    }

    /** 200 once started, while not reloading or stopping, and every process that should serve does. */
    private void ready(Exchange x) throws ControlException {
        boolean now = ready && control.health().healthy();
        x.reply(now ? 200 : 503, new Bodies.Status(now ? "ready" : "not_ready"));
    }

    private void alive(Exchange x) {
        x.reply(200, new Bodies.Status("alive"));
    }

    /** {@code /health} plus Drover's own figures: version, pid, uptime, heap and threads. */
    private void healthDetailed(Exchange x) throws ControlException {
        HealthReport report = control.health();
        x.reply(
                report.healthy() ? 200 : 503,
                Bodies.DetailedHealth.of(report, Bodies.Self.measure(startedAtMillis, ready)));
    }

    private void metrics(Exchange x) {
        byte[] text = metrics.scrape();
        Response response = x.response();
        response.setStatus(200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, metrics.contentType());
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, text.length);
        response.write(true, java.nio.ByteBuffer.wrap(text), x.callback());
    }

    /**
     * Every state and health change from now on, as server-sent events with ids. With {@code
     * Last-Event-ID} (or {@code ?lastEventId=}, for browsers that reconnect by hand) the events
     * missed since that one come first, or an {@code event: reset} when they cannot be replayed.
     */
    private void events(Exchange x) throws ControlException {
        String last = x.request().getHeaders().get("Last-Event-ID");
        if (last == null && !x.queryValues("lastEventId").isEmpty()) {
            last = x.queryValues("lastEventId").getFirst();
        }
        SseStream<EventJournal.Numbered> stream =
                new SseStream<>(x.response(), x.callback(), streamQueue, heartbeat, "events", streams::remove);
        EventJournal.Replay replay = journal.follow(last, stream);
        stream.attach(() -> journal.unfollow(stream));
        startStream(x, stream);
        String prelude = "";
        List<EventJournal.Numbered> missed = List.of();
        switch (replay) {
            case EventJournal.Replay.Resumed resumed -> missed = resumed.missed();
            case EventJournal.Replay.Reset reset ->
                prelude = "event: reset\ndata: "
                        + new String(
                                Json.bytes(java.util.Map.of("reason", reset.why())),
                                java.nio.charset.StandardCharsets.UTF_8)
                        + "\n\n";
        }
        String greeting = "following every state and health change"
                + (last == null ? "" : " after " + last.replaceAll("[\\r\\n]", ""));
        String opening = prelude;
        List<EventJournal.Numbered> history = missed;
        Thread.ofVirtual()
                .name("drover-api-events")
                .start(() -> stream.run(greeting, opening, history, SseStream::noOverlap));
    }

    private void startStream(Exchange x, SseStream<?> stream) {
        Response response = x.response();
        response.setStatus(200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/event-stream; charset=utf-8");
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache");
        streams.add(stream);
        x.request().addFailureListener(failure -> stream.close());
    }

    private void shutdownControl(boolean force) {
        try {
            control.shutdown(force);
        } catch (ControlException | RuntimeException e) {
            System.err.println("drover: shutdown requested over the API failed: " + e.getMessage());
        }
    }

    /** Starts a server-sent event stream: subscribe first so no line falls between history and live. */
    private void follow(Exchange x, List<String> ids, int lines) throws ControlException {
        SseStream<LogEntry> stream =
                new SseStream<>(x.response(), x.callback(), streamQueue, heartbeat, "lines", streams::remove);
        stream.attach(control.followLogs(ids, stream));
        List<LogEntry> history;
        try {
            history = lines == 0 ? List.of() : history(ids, lines);
        } catch (ControlException | RuntimeException e) {
            stream.abandon();
            throw e;
        }
        startStream(x, stream);
        String greeting = "following " + (ids.isEmpty() ? "every process" : String.join(", ", ids));
        Thread.ofVirtual()
                .name("drover-api-logs")
                .start(() -> stream.run(greeting, history, SseStream::withoutOverlap));
    }

    private List<LogEntry> history(List<String> ids, int lines) throws ControlException {
        if (ids.size() == 1) {
            return control.logs(ids.getFirst(), lines);
        }
        List<String> names = ids.isEmpty()
                ? control.processes().stream().map(ProcessInfo::id).toList()
                : ids;
        List<LogEntry> merged = new ArrayList<>();
        for (String name : names) {
            merged.addAll(control.logs(name, lines));
        }
        merged.sort(Comparator.comparingLong(LogEntry::time)); // stable: each process keeps its order
        return merged.subList(Math.max(0, merged.size() - lines), merged.size());
    }
}
