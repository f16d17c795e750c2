package dev.drover.proxy;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;

/**
 * One JSON object per request, appended to {@code proxy.access_log.path}: time, client, method,
 * host, path, status, duration, route, instance, request id, and why it failed when it did. Lines
 * are buffered and flushed every second (and at the end), so the log costs the proxy little.
 */
final class AccessLog implements AutoCloseable {
    private final Path file;
    private final BufferedWriter out;
    private final ScheduledExecutorService flusher = Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().name("drover-access-log").daemon().unstarted(r));
    private String failing;

    AccessLog(Path file) throws IOException {
        this.file = file;
        Files.createDirectories(file.toAbsolutePath().getParent());
        this.out = Files.newBufferedWriter(
                file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        flusher.scheduleWithFixedDelay(this::flush, 1, 1, TimeUnit.SECONDS);
    }

    void record(Request request, Response response, Exchange exchange) {
        long micros = (System.nanoTime() - exchange.startedNanos) / 1_000;
        StringBuilder line = new StringBuilder(256).append('{');
        field(line, "time", Instant.now().toString()).append(',');
        field(line, "client", Request.getRemoteAddr(request)).append(',');
        field(line, "method", request.getMethod()).append(',');
        field(line, "host", request.getHeaders().get(HttpHeader.HOST)).append(',');
        field(line, "path", request.getHttpURI().getPathQuery()).append(',');
        line.append("\"status\":").append(response.getStatus()).append(',');
        line.append("\"duration_ms\":").append(micros / 1000.0).append(',');
        field(line, "route", exchange.route.label()).append(',');
        field(line, "instance", exchange.upstream == null ? null : exchange.upstream.instance)
                .append(',');
        field(line, "request_id", exchange.requestId);
        if (exchange.failure != null) {
            line.append(',');
            field(line, "failure", exchange.failure);
        }
        line.append("}\n");
        synchronized (this) {
            try {
                out.write(line.toString());
            } catch (IOException e) {
                trouble(e);
            }
        }
    }

    private static StringBuilder field(StringBuilder line, String name, String value) {
        line.append('"').append(name).append("\":");
        return value == null
                ? line.append("null")
                : line.append('"').append(ErrorReplies.json(value)).append('"');
    }

    private synchronized void flush() {
        try {
            out.flush();
            if (failing != null) {
                System.err.println(Instant.now() + " drover: the access log " + file + " works again");
                failing = null;
            }
        } catch (IOException e) {
            trouble(e);
        }
    }

    /** Said once per episode: a full disk must not fill the daemon's own log. */
    private void trouble(IOException e) {
        if (failing == null) {
            failing = e.getMessage();
            System.err.println(Instant.now() + " drover: cannot write the access log " + file + ": " + e.getMessage());
        }
    }

    @Override
    public void close() {
        flusher.shutdownNow();
        flush();
        synchronized (this) {
            try {
                out.close();
            } catch (IOException e) {
                // the last lines are lost with the disk
            }
        }
    }
}
