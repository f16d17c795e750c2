package dev.drover.dashboard;

import dev.drover.control.Control;
import dev.drover.control.ControlException;
import dev.drover.control.ProcessInfo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Blocker;
import org.eclipse.jetty.util.Callback;

/**
 * CPU and memory of every process over the last minutes, for the dashboard's charts and the
 * table's CPU/MEM columns: state changes come on the event stream, but resource use changes all
 * the time, so it is sampled here and pushed to open pages as server-sent events. It samples only
 * while a page is open, and keeps what it sampled for the window, so a page opened later still
 * draws the last minutes it was measured.
 */
final class ResourceSampler {
    /** One round: when, and each running instance's cpu (percent of a core) and memory (bytes). */
    record Sample(long time, Map<String, double[]> processes) {}

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
            new com.fasterxml.jackson.databind.ObjectMapper();

    private final Control control;
    private final Duration every;
    private final int kept;
    private final ArrayDeque<Sample> history = new ArrayDeque<>(); // guarded by this
    private final Set<ArrayBlockingQueue<Sample>> streams = ConcurrentHashMap.newKeySet();
    private Thread thread; // guarded by this
    private volatile boolean closed;

    ResourceSampler(Control control, Duration every, Duration window) {
        this.control = control;
        this.every = every;
        this.kept = (int) Math.max(1, window.toMillis() / every.toMillis());
    }

    /** Streams the history, then every new sample, until the client goes away or the daemon stops. */
    void stream(Response response, Callback callback) {
        ArrayBlockingQueue<Sample> queue = new ArrayBlockingQueue<>(16);
        List<Sample> past;
        synchronized (this) {
            past = new ArrayList<>(history);
            streams.add(queue);
            if (thread == null && !closed) {
                thread = Thread.ofVirtual().name("drover-dashboard-sampler").start(this::sampleWhileWatched);
            }
        }
        response.setStatus(200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/event-stream; charset=utf-8");
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache");
        Thread.ofVirtual().name("drover-dashboard-resources").start(() -> {
            Throwable failure = null;
            try {
                StringBuilder out = new StringBuilder(": resource samples every " + every.toMillis() + " ms\n\n");
                past.forEach(sample -> append(out, sample));
                write(response, out);
                while (!closed) {
                    Sample next = queue.poll(15, TimeUnit.SECONDS);
                    out.setLength(0);
                    if (next == null) {
                        out.append(": keepalive\n\n");
                    } else if (next.processes() != null) {
                        append(out, next);
                    }
                    write(response, out);
                }
            } catch (IOException e) {
                failure = e; // the page went away
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failure = e;
            } finally {
                streams.remove(queue);
            }
            if (failure == null) {
                callback.succeeded();
            } else {
                callback.failed(failure);
            }
        });
    }

    private void sampleWhileWatched() {
        try {
            while (!closed) {
                synchronized (this) {
                    if (streams.isEmpty()) {
                        thread = null; // the next page starts sampling again
                        return;
                    }
                }
                Sample sample = sample();
                if (sample != null) {
                    synchronized (this) {
                        history.addLast(sample);
                        while (history.size() > kept) {
                            history.removeFirst();
                        }
                    }
                    streams.forEach(queue -> queue.offer(sample)); // a page that lags misses a sample
                }
                Thread.sleep(every.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private Sample sample() {
        List<ProcessInfo> processes;
        try {
            processes = control.processes();
        } catch (ControlException | RuntimeException e) {
            return null; // stopping; the next round tries again
        }
        Map<String, double[]> values = new LinkedHashMap<>();
        for (ProcessInfo process : processes) {
            if (process.cpu() != null || process.memory() != null) {
                values.put(process.id(), new double[] {
                    process.cpu() == null ? 0 : process.cpu(), process.memory() == null ? 0 : process.memory()
                });
            }
        }
        return new Sample(System.currentTimeMillis(), values);
    }

    void close() {
        closed = true;
        Sample end = new Sample(0, null);
        streams.forEach(queue -> queue.offer(end));
    }

    private static void append(StringBuilder out, Sample sample) {
        try {
            out.append("data: ")
                    .append(new String(JSON.writeValueAsBytes(sample), StandardCharsets.UTF_8))
                    .append("\n\n");
        } catch (IOException e) {
            throw new IllegalStateException("a sample is plain numbers", e);
        }
    }

    private static void write(Response response, StringBuilder out) throws IOException {
        try (Blocker.Callback written = Blocker.callback()) {
            response.write(false, ByteBuffer.wrap(out.toString().getBytes(StandardCharsets.UTF_8)), written);
            written.block();
        }
    }
}
