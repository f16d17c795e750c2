package dev.drover.client;

import dev.drover.control.Control;
import dev.drover.control.ControlException;
import dev.drover.control.HealthReport;
import dev.drover.control.LogEntry;
import dev.drover.control.ProcessEvent;
import dev.drover.control.ProcessInfo;
import dev.drover.control.ReloadResult;
import dev.drover.control.RouteInfo;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * The {@link Control} of a daemon, over HTTP on its Unix socket. Uses only the JDK for processes,
 * health and errors ({@link WireBodies}), Jackson for the rest, so the short commands start fast. A daemon that is not running is a {@link ControlException} with status
 * {@link ControlException#UNREACHABLE}.
 */
public final class RemoteControl implements Control {
    /** How long a request may wait for its answer; reloads wait for changed processes to stop. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(2);

    private final UnixHttpClient http;

    public RemoteControl(Path socket) {
        this(socket, DEFAULT_TIMEOUT);
    }

    public RemoteControl(Path socket, Duration timeout) {
        this.http = new UnixHttpClient(socket, timeout);
    }

    @Override
    public List<ProcessInfo> processes() throws ControlException {
        return WireBodies.processList(call("GET", "/api/processes", null));
    }

    @Override
    public ProcessInfo process(String id) throws ControlException {
        return WireBodies.process(call("GET", processPath(id), null));
    }

    @Override
    public ProcessInfo start(String id) throws ControlException {
        return WireBodies.process(call("POST", processPath(id) + "/start", null));
    }

    @Override
    public ProcessInfo stop(String id) throws ControlException {
        return WireBodies.process(call("POST", processPath(id) + "/stop", null));
    }

    @Override
    public ProcessInfo restart(String id) throws ControlException {
        return WireBodies.process(call("POST", processPath(id) + "/restart", null));
    }

    @Override
    public dev.drover.control.ExecContext execContext(String id) throws ControlException {
        return WireJson.read(call("GET", processPath(id) + "/exec", null), dev.drover.control.ExecContext.class);
    }

    @Override
    public ProcessInfo run(String id) throws ControlException {
        return WireJson.read(call("POST", processPath(id) + "/run", null), ProcessInfo.class);
    }

    @Override
    public ProcessInfo drain(String id) throws ControlException {
        return WireBodies.process(call("POST", processPath(id) + "/drain", null));
    }

    @Override
    public ProcessInfo undrain(String id) throws ControlException {
        return WireBodies.process(call("POST", processPath(id) + "/undrain", null));
    }

    @Override
    public List<RouteInfo> routes() throws ControlException {
        return WireJson.read(call("GET", "/api/routes", null), WireJson.RouteList.class)
                .routes();
    }

    @Override
    public ProcessInfo signal(String id, String signal) throws ControlException {
        return WireBodies.process(call("POST", processPath(id) + "/signal", WireBodies.signalRequest(signal)));
    }

    @Override
    public List<LogEntry> logs(String id, int lines) throws ControlException {
        return WireJson.read(call("GET", processPath(id) + "/logs?lines=" + lines, null), WireJson.LogLines.class)
                .lines();
    }

    /** Follows over one server-sent event stream; the handle can also wait for the daemon to end it. */
    @Override
    public SseFollow<LogEntry> followLogs(List<String> ids, Consumer<LogEntry> sink) throws ControlException {
        StringBuilder target = new StringBuilder("/api/logs?follow=true&lines=0");
        for (String id : ids) {
            target.append("&process=").append(URLEncoder.encode(id, StandardCharsets.UTF_8));
        }
        return follow(
                target.toString(),
                LogEntry.class,
                dropped -> new LogEntry(
                        System.currentTimeMillis(),
                        "drover",
                        "drover",
                        "dropped " + dropped + " lines: this reader fell behind"),
                sink);
    }

    @Override
    public SseFollow<ProcessEvent> followEvents(Consumer<ProcessEvent> sink) throws ControlException {
        return follow("/api/events", ProcessEvent.class, null, sink);
    }

    private <T> SseFollow<T> follow(
            String target, Class<T> type, java.util.function.LongFunction<T> dropped, Consumer<T> sink)
            throws ControlException {
        UnixHttpClient.Opened opened = http.open("GET", target);
        try {
            int status = opened.reply().status();
            if (status != 200) {
                throw WireBodies.error(status, opened.reply().body().readAllBytes());
            }
            String contentType = opened.reply().header("content-type");
            if (contentType == null || !contentType.toLowerCase(Locale.ROOT).startsWith("text/event-stream")) {
                throw new ControlException(
                        502, "the drover daemon did not answer with an event stream (" + contentType + ")");
            }
        } catch (java.io.IOException e) {
            opened.close();
            throw new ControlException(502, "lost the connection to the drover daemon: " + e.getMessage());
        } catch (ControlException | RuntimeException e) {
            opened.close();
            throw e;
        }
        return SseFollow.start(opened.channel(), opened.reply().body(), type, dropped, sink);
    }

    @Override
    public List<ProcessInfo> scale(String process, int replicas) throws ControlException {
        return WireBodies.processList(call("POST", processPath(process) + "/scale", WireBodies.scaleRequest(replicas)));
    }

    @Override
    public ReloadResult reload() throws ControlException {
        return WireJson.read(call("POST", "/api/reload", null), ReloadResult.class);
    }

    /** The report comes with 200 when healthy and 503 when not; both are answers, not errors. */
    @Override
    public HealthReport health() throws ControlException {
        UnixHttpClient.Reply reply = http.send("GET", "/health", null);
        if ((reply.status() != 200 && reply.status() != 503) || !isJson(reply)) {
            throw WireBodies.error(reply.status(), reply.body());
        }
        HealthReport health = WireBodies.health(reply.body());
        if (health.status() == null) {
            throw WireBodies.error(reply.status(), reply.body()); // a 503 that is an error, not a health answer
        }
        return health;
    }

    /** Asks the daemon to stop everything and exit; returns once it has accepted, not once it is gone. */
    @Override
    public void shutdown(boolean force) throws ControlException {
        call("POST", force ? "/api/shutdown?force=true" : "/api/shutdown", null);
    }

    /** A one-time login link to the dashboard: where it is, and the link that logs a browser in once. */
    public record DashboardLink(String url, String login) {}

    /**
     * Asks the daemon for a new one-time dashboard login link (valid for two minutes, from this
     * machine only); a 409 when the daemon has no TCP listener to serve the dashboard on.
     */
    public DashboardLink dashboardLink() throws ControlException {
        return WireJson.read(call("POST", "/dashboard/login-link", null), DashboardLink.class);
    }

    private byte[] call(String method, String target, byte[] jsonBody) throws ControlException {
        UnixHttpClient.Reply reply = http.send(method, target, jsonBody);
        if (reply.status() / 100 != 2) {
            throw WireBodies.error(reply.status(), reply.body());
        }
        return reply.body();
    }

    private static boolean isJson(UnixHttpClient.Reply reply) {
        return reply.contentType() != null
                && reply.contentType().toLowerCase(Locale.ROOT).startsWith("application/json");
    }

    private static String processPath(String id) {
        return "/api/processes/" + pathSegment(id);
    }

    /** Percent-encodes everything but RFC 3986's unreserved characters. */
    static String pathSegment(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if (c < 0x80 && (Character.isLetterOrDigit(c) || c == '-' || c == '.' || c == '_' || c == '~')) {
                out.append(c);
            } else {
                out.append('%')
                        .append(Character.toUpperCase(Character.forDigit((b >> 4) & 0xf, 16)))
                        .append(Character.toUpperCase(Character.forDigit(b & 0xf, 16)));
            }
        }
        return out.toString();
    }
}
