package dev.drover.client;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.Consumer;
import java.util.function.LongFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A followed stream of log lines or events from the daemon: a virtual thread reads its
 * server-sent events, each a JSON {@code T}, and hands each to the sink until {@link #close()}, or
 * until the daemon ends the stream.
 */
public final class SseFollow<T> implements AutoCloseable {
    /** What an SSE event line may hold: one log line of up to 64 KiB, escaped as JSON. */
    private static final int MAX_EVENT_LINE = 1024 * 1024;

    private static final Pattern DROPPED = Pattern.compile(": ?dropped (\\d+) (lines|events)");

    private final SocketChannel channel;
    private final Thread reader;
    private volatile boolean closed;
    private volatile Throwable failure;

    private SseFollow(
            SocketChannel channel, InputStream events, Class<T> type, LongFunction<T> dropped, Consumer<T> sink) {
        this.channel = channel;
        this.reader = Thread.ofVirtual().name("drover-follow").unstarted(() -> read(events, type, dropped, sink));
    }

    /**
     * @param dropped turns "the daemon dropped N items for this slow reader" into an item for the
     *     sink, or null to pass over such notices
     */
    static <T> SseFollow<T> start(
            SocketChannel channel, InputStream events, Class<T> type, LongFunction<T> dropped, Consumer<T> sink) {
        SseFollow<T> follow = new SseFollow<>(channel, events, type, dropped, sink);
        follow.reader.start();
        return follow;
    }

    /** Stops following: the connection is closed, the daemon drops the stream. */
    @Override
    public void close() {
        closed = true;
        UnixHttpClient.closeQuietly(channel);
    }

    /** Waits until the stream has ended (closed here or by the daemon); false if it is still open after the timeout. */
    public boolean awaitEnd(Duration timeout) throws InterruptedException {
        return reader.join(timeout);
    }

    /** Why the stream ended other than by {@link #close()} or a clean end from the daemon, or null. */
    public Throwable failure() {
        return failure;
    }

    private void read(InputStream events, Class<T> type, LongFunction<T> dropped, Consumer<T> sink) {
        StringBuilder data = new StringBuilder();
        try {
            while (true) {
                String line;
                try {
                    line = new String(HttpReply.lineBytes(events, MAX_EVENT_LINE), StandardCharsets.UTF_8);
                } catch (EOFException e) {
                    return; // the daemon ended the stream
                }
                if (closed) {
                    return; // lines already buffered are not delivered after close()
                }
                if (line.isEmpty()) {
                    if (!data.isEmpty()) {
                        sink.accept(WireJson.read(data.toString(), type));
                        data.setLength(0);
                    }
                } else if (line.startsWith("data:")) {
                    if (!data.isEmpty()) {
                        data.append('\n');
                    }
                    data.append(line, line.startsWith("data: ") ? 6 : 5, line.length());
                } else if (line.startsWith(":")) {
                    Matcher notice = DROPPED.matcher(line);
                    if (notice.matches() && dropped != null) {
                        sink.accept(dropped.apply(Long.parseLong(notice.group(1))));
                    }
                }
                // other SSE fields (event:, id:, retry:) are not used by the API
            }
        } catch (IOException | RuntimeException e) {
            if (!closed) {
                failure = e;
            }
        } finally {
            UnixHttpClient.closeQuietly(channel);
        }
    }
}
