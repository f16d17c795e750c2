package dev.drover.api;

import dev.drover.control.LogEntry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Blocker;
import org.eclipse.jetty.util.Callback;

/**
 * One client following log lines or events over server-sent events, each item one {@code data:}
 * line of JSON. Producers (the engine's output threads, its supervisors) hand items to
 * {@link #accept}, which never blocks: items wait in a bounded queue that a virtual thread of this
 * stream drains to the client. When the client falls behind and the queue is full, new items are
 * dropped and the client is told so with a {@code : dropped N lines} (or events) comment where
 * they were.
 */
final class SseStream<T> implements Consumer<T> {
    /** A queued item (null for the end), and how many items were dropped just before it. */
    private record Queued<T>(T entry, long droppedBefore) {}

    /**
     * Of the items that arrived while the history was being read, those not already in it.
     * Called with the history and those items, in order.
     */
    interface Overlap<T> {
        List<T> withoutOverlap(List<T> history, List<T> early);
    }

    private final Queued<T> end = new Queued<>(null, 0);
    private static final int BATCH_BYTES = 32 * 1024;

    private final Response response;
    private final Callback callback;
    private final ArrayBlockingQueue<Queued<T>> queue;
    private final int capacity;
    private final Duration heartbeat;
    private final String unit;
    private final Consumer<SseStream<?>> onEnd;
    private long dropped; // guarded by this
    private volatile boolean closed;
    private volatile AutoCloseable follow;

    /**
     * @param onEnd runs once the stream has ended and its follow handle is closed
     */
    SseStream(
            Response response,
            Callback callback,
            int capacity,
            Duration heartbeat,
            String unit,
            Consumer<SseStream<?>> onEnd) {
        this.response = response;
        this.callback = callback;
        this.queue = new ArrayBlockingQueue<>(capacity + 1); // +1: room for END even when full of lines
        this.capacity = capacity;
        this.heartbeat = heartbeat;
        this.unit = unit;
        this.onEnd = onEnd;
    }

    /** The handle that feeds this stream, closed when the stream ends. */
    void attach(AutoCloseable handle) {
        this.follow = handle;
        if (closed) {
            closeFollow();
        }
    }

    /** Takes a new item; called by whoever produces them, so it never waits for the client. */
    @Override
    public synchronized void accept(T entry) {
        if (closed) {
            return;
        }
        if (queue.size() < capacity && queue.offer(new Queued<>(entry, dropped))) {
            dropped = 0;
        } else {
            dropped++;
        }
    }

    /** Gives up on a stream that never started: only its follow handle needs closing. */
    void abandon() {
        closed = true;
        closeFollow();
    }

    /** Ends the stream soon (server stopping, client gone). */
    void close() {
        if (!closed) {
            closed = true;
            queue.offer(end);
        }
    }

    /**
     * Writes the history and then every queued item until the client goes away or the stream is
     * closed; runs on the stream's own virtual thread.
     */
    void run(String greeting, List<T> history, Overlap<T> overlap) {
        run(greeting, "", history, overlap);
    }

    /** The same, with {@code prelude} (complete SSE events) written right after the greeting. */
    void run(String greeting, String prelude, List<T> history, Overlap<T> overlap) {
        Throwable failure = null;
        try {
            List<Queued<T>> early = new ArrayList<>();
            queue.drainTo(early);
            StringBuilder out = new StringBuilder(": ").append(greeting).append("\n\n");
            out.append(prelude);
            history.forEach(entry -> event(out, entry));
            long droppedEarly = 0;
            List<T> arrived = new ArrayList<>();
            for (Queued<T> queued : early) {
                droppedEarly += queued.droppedBefore();
                if (queued.entry() != null) {
                    arrived.add(queued.entry());
                }
            }
            if (droppedEarly > 0) {
                out.append(": dropped ")
                        .append(droppedEarly)
                        .append(' ')
                        .append(unit)
                        .append("\n\n");
            }
            overlap.withoutOverlap(history, arrived).forEach(entry -> event(out, entry));
            write(out);
            while (!closed) {
                Queued<T> next = queue.poll(heartbeat.toMillis(), TimeUnit.MILLISECONDS);
                out.setLength(0);
                if (next == null) {
                    long missed = takeDropped();
                    out.append(missed > 0 ? ": dropped " + missed + " " + unit + "\n\n" : ": keepalive\n\n");
                } else {
                    while (next != null && next != end) {
                        append(out, next);
                        next = out.length() < BATCH_BYTES ? queue.poll() : null;
                    }
                }
                write(out);
            }
        } catch (IOException e) {
            failure = e; // the client went away
        } catch (InterruptedException e) {
            failure = e;
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            failure = e;
        } finally {
            closed = true;
            closeFollow();
            onEnd.accept(this);
        }
        if (failure == null) {
            callback.succeeded();
        } else {
            callback.failed(failure);
        }
    }

    private synchronized long takeDropped() {
        long missed = dropped;
        dropped = 0;
        return missed;
    }

    private void write(StringBuilder out) throws IOException {
        if (out.isEmpty()) {
            return;
        }
        try (Blocker.Callback written = Blocker.callback()) {
            response.write(false, ByteBuffer.wrap(out.toString().getBytes(StandardCharsets.UTF_8)), written);
            written.block();
        }
    }

    private void closeFollow() {
        AutoCloseable handle = follow;
        follow = null;
        if (handle != null) {
            try {
                handle.close();
            } catch (Exception e) {
                // Nothing more to stop: the stream is over either way.
            }
        }
    }

    private void append(StringBuilder out, Queued<T> queued) {
        if (queued == end) {
            return;
        }
        if (queued.droppedBefore() > 0) {
            out.append(": dropped ")
                    .append(queued.droppedBefore())
                    .append(' ')
                    .append(unit)
                    .append("\n\n");
        }
        event(out, queued.entry());
    }

    private static void event(StringBuilder out, Object entry) {
        if (entry instanceof EventJournal.Numbered numbered) {
            out.append("id: ").append(numbered.id()).append('\n');
            entry = numbered.event();
        }
        // Jackson escapes newlines inside strings, so one event is always one data line.
        out.append("data: ")
                .append(new String(Json.bytes(entry), StandardCharsets.UTF_8))
                .append("\n\n");
    }

    /** No item is in both: the history is empty, or items cannot repeat. */
    static <T> List<T> noOverlap(List<T> history, List<T> early) {
        return early;
    }

    /**
     * Log lines that arrived while the history was being read may be in both; per process, drops
     * the longest run at the start of {@code early} that repeats the end of {@code history}.
     */
    static List<LogEntry> withoutOverlap(List<LogEntry> history, List<LogEntry> early) {
        Map<String, List<LogEntry>> historyByProcess = new HashMap<>();
        history.forEach(e -> historyByProcess
                .computeIfAbsent(e.process(), k -> new ArrayList<>())
                .add(e));
        Map<String, List<LogEntry>> earlyByProcess = new HashMap<>();
        early.forEach(e -> earlyByProcess
                .computeIfAbsent(e.process(), k -> new ArrayList<>())
                .add(e));
        Map<String, Integer> skip = new HashMap<>();
        earlyByProcess.forEach((process, arrived) ->
                skip.put(process, overlap(historyByProcess.getOrDefault(process, List.of()), arrived)));
        List<LogEntry> kept = new ArrayList<>();
        for (LogEntry entry : early) {
            int left = skip.getOrDefault(entry.process(), 0);
            if (left > 0) {
                skip.put(entry.process(), left - 1);
            } else {
                kept.add(entry);
            }
        }
        return kept;
    }

    private static int overlap(List<LogEntry> history, List<LogEntry> arrived) {
        for (int k = Math.min(history.size(), arrived.size()); k > 0; k--) {
            if (history.subList(history.size() - k, history.size()).equals(arrived.subList(0, k))) {
                return k;
            }
        }
        return 0;
    }
}
