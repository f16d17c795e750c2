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
 */
public final class ApiHandler extends Handler.Abstract {
    static final int DEFAULT_LINES = 100;
    private static final int STREAM_QUEUE = 1024;
    private static final Duration HEARTBEAT = Duration.ofSeconds(15);

    private final Control control;
    private final int streamQueue;
    private final Duration heartbeat;
    private final Routes routes;
    private final Set<LogStream> streams = ConcurrentHashMap.newKeySet();
    private volatile boolean ready;

    public ApiHandler(Control control) {
        this(control, STREAM_QUEUE, HEARTBEAT);
    }

    /**
     * @param streamQueue lines a log stream holds for a slow client before it drops new ones
     * @param heartbeat how often an idle log stream writes a comment, which keeps the connection
     *     from timing out and notices a client that went away
     */
    ApiHandler(Control control, int streamQueue, Duration heartbeat) {
        this.control = control;
        this.streamQueue = streamQueue;
        this.heartbeat = heartbeat;
        this.routes = new Routes()
                .add("GET", "/api/processes", this::listProcesses)
                .add("GET", "/api/processes/{id}", this::showProcess)
                .add("POST", "/api/processes/{id}/start", this::startProcess)
                .add("POST", "/api/processes/{id}/stop", this::stopProcess)
                .add("POST", "/api/processes/{id}/restart", this::restartProcess)
                .add("POST", "/api/processes/{id}/signal", this::signalProcess)
                .add("GET", "/api/processes/{id}/logs", this::processLogs)
                .add("GET", "/api/logs", this::logs)
                .add("POST", "/api/reload", this::reload)
                .add("POST", "/api/shutdown", this::shutdown)
                .add("GET", "/health", this::health)
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
        Exchange exchange = new Exchange(request, response, callback);
        try {
            switch (routes.match(request.getMethod(), exchange.pathSegments())) {
                case Routes.Match.Found found -> {
                    exchange.setParameters(found.parameters());
                    found.action().handle(exchange);
                }
                case Routes.Match.WrongMethod wrong -> {
                    response.getHeaders().put(HttpHeader.ALLOW, String.join(", ", wrong.allowed()));
                    exchange.error(405, request.getMethod() + " is not allowed on " + request.getHttpURI().getPath()
                            + " (use " + String.join(" or ", wrong.allowed()) + ")", List.of());
                }
                case Routes.Match.Missing missing ->
                        exchange.error(404, "no such route: " + request.getMethod() + " " + request.getHttpURI().getPath(), List.of());
            }
        } catch (ControlException e) {
            exchange.error(e.status() >= 400 && e.status() <= 599 ? e.status() : 502, e.getMessage(), e.details());
        } catch (RuntimeException e) {
            exchange.error(500, "internal error: " + e, List.of());
        }
        return true;
    }

    /** Ends every open log stream, so that a stopping server has no response left in flight. */
    void endStreams() {
        streams.forEach(LogStream::close);
    }

    @Override
    protected void doStop() throws Exception {
        endStreams();
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

    private void restartProcess(Exchange x) throws ControlException {
        x.reply(202, control.restart(x.parameter("id")));
    }

    private void signalProcess(Exchange x) throws ControlException {
        JsonNode body = x.jsonObjectBody();
        x.reply(202, control.signal(x.parameter("id"), Exchange.requiredText(body, "signal")));
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
    private void shutdown(Exchange x) {
        ready = false;
        x.reply(202, new Bodies.Status("stopping"), () -> Thread.ofPlatform().name("drover-api-shutdown").start(this::shutdownControl));
    }

    private void health(Exchange x) throws ControlException {
        HealthReport report = control.health();
        x.reply(report.healthy() ? 200 : 503, Bodies.Health.of(report));
    }

    private void ready(Exchange x) {
        x.reply(ready ? 200 : 503, new Bodies.Status(ready ? "ready" : "not_ready"));
    }

    private void alive(Exchange x) {
        x.reply(200, new Bodies.Status("alive"));
    }

    private void shutdownControl() {
        try {
            control.shutdown();
        } catch (ControlException | RuntimeException e) {
            System.err.println("drover: shutdown requested over the API failed: " + e.getMessage());
        }
    }

    /** Starts a server-sent event stream: subscribe first so no line falls between history and live. */
    private void follow(Exchange x, List<String> ids, int lines) throws ControlException {
        LogStream stream = new LogStream(x.response(), x.callback(), streamQueue, heartbeat, streams::remove);
        stream.attach(control.followLogs(ids, stream));
        List<LogEntry> history;
        try {
            history = lines == 0 ? List.of() : history(ids, lines);
        } catch (ControlException | RuntimeException e) {
            stream.abandon();
            throw e;
        }
        Response response = x.response();
        response.setStatus(200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/event-stream; charset=utf-8");
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache");
        streams.add(stream);
        x.request().addFailureListener(failure -> stream.close());
        String greeting = "following " + (ids.isEmpty() ? "every process" : String.join(", ", ids));
        Thread.ofVirtual().name("drover-api-logs").start(() -> stream.run(greeting, history));
    }

    private List<LogEntry> history(List<String> ids, int lines) throws ControlException {
        if (ids.size() == 1) {
            return control.logs(ids.getFirst(), lines);
        }
        List<String> names = ids.isEmpty() ? control.processes().stream().map(ProcessInfo::id).toList() : ids;
        List<LogEntry> merged = new ArrayList<>();
        for (String name : names) {
            merged.addAll(control.logs(name, lines));
        }
        merged.sort(Comparator.comparingLong(LogEntry::time)); // stable: each process keeps its order
        return merged.subList(Math.max(0, merged.size() - lines), merged.size());
    }
}
