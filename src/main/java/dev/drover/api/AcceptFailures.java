package dev.drover.api;

import dev.drover.launch.Descriptors;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * What a listener's acceptor thread does when accepting a connection fails. When the descriptor
 * table is full, a client waiting in the accept queue is taken on a spare descriptor the listener
 * keeps for this, told so in a 503 and closed, so that it gets an answer rather than a hang and the
 * acceptor does not spin on a queue it cannot empty. (The kernel takes a descriptor number before
 * it waits for a client, so with a full table every attempt fails at once: the spare is the
 * listener's own, never the reserve that stops need.) The daemon's log says so once per episode,
 * with a count, never once per attempt.
 *
 * <p>Most shortages pass within milliseconds: a stop holds a pidfd and a /proc file for a moment,
 * and the connection of the previous request may still be closing when its client, which has read
 * the whole answer, connects again. So a shortage is waited out for a grace period first, the
 * accept retried every few milliseconds, before any client is turned away or the log says so.
 */
final class AcceptFailures {
    /** Pause after a failure that the reserve could not get past, so that a full table costs no CPU. */
    private static final long PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

    /** How long a fresh shortage is waited out before clients are turned away. */
    static final long GRACE_NANOS = TimeUnit.SECONDS.toNanos(2);

    /** Pause between accepts while a shortage is waited out. */
    private static final long RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    /** A failure this long after the last one starts a new shortage, with a grace of its own. */
    private static final long NEW_SHORTAGE_NANOS = TimeUnit.SECONDS.toNanos(1);

    private static final byte[] BUSY = busy();

    private final String listener;
    private final LongSupplier clock;
    private final Descriptors.Spare spare = new Descriptors.Spare();
    private boolean exhausted;
    private long refused;
    private long lastShortage;
    private long graceEnds;

    AcceptFailures(String listener) {
        this(listener, System::nanoTime);
    }

    AcceptFailures(String listener, LongSupplier clock) {
        this.listener = listener;
        this.clock = clock;
        this.lastShortage = clock.getAsLong() - NEW_SHORTAGE_NANOS;
    }

    /**
     * @param running whether the connector still runs (a failure while stopping ends the acceptor)
     * @return true to go on accepting, as {@code AbstractConnector.handleAcceptFailure} does
     */
    synchronized boolean handle(Throwable failure, boolean running, Object transport) {
        if (!running || failure instanceof ClosedByInterruptException || failure instanceof ClosedChannelException) {
            return false;
        }
        if (failure instanceof InterruptedException) {
            return true;
        }
        if (Descriptors.exhausted(failure) && transport instanceof ServerSocketChannel channel) {
            long now = clock.getAsLong();
            if (now - lastShortage >= NEW_SHORTAGE_NANOS) {
                graceEnds = now + GRACE_NANOS;
            }
            lastShortage = now;
            if (now - graceEnds < 0) {
                LockSupport.parkNanos(RETRY_NANOS); // likely to pass: wait, the client too
                return true;
            }
            if (!exhausted) {
                exhausted = true;
                say("the API on " + listener + " cannot accept connections: " + failure.getMessage()
                        + "; clients are answered 503 until descriptors are free again");
            }
            if (!refuseOne(channel)) {
                LockSupport.parkNanos(PAUSE_NANOS);
            }
            return true;
        }
        say("the API on " + listener + " failed to accept a connection: " + failure);
        LockSupport.parkNanos(PAUSE_NANOS * 5);
        return true;
    }

    /** After a successful accept: ends an episode of exhaustion, saying how many clients were turned away. */
    synchronized void accepted() {
        if (exhausted) {
            exhausted = false;
            say("the API on " + listener + " accepts connections again (" + refused
                    + " turned away while descriptors were short)");
            refused = 0;
        }
    }

    /** Takes a waiting client on the spare, answers 503 and closes; false when none waits or there was no spare. */
    private boolean refuseOne(ServerSocketChannel channel) {
        try {
            return spare.use(() -> {
                SocketChannel client;
                synchronized (channel.blockingLock()) {
                    boolean blocking = channel.isBlocking();
                    channel.configureBlocking(false); // none may be waiting: never wait here
                    try {
                        client = channel.accept();
                    } finally {
                        if (blocking) {
                            channel.configureBlocking(true);
                        }
                    }
                }
                if (client == null) {
                    return false;
                }
                try (client) {
                    client.configureBlocking(false);
                    client.read(ByteBuffer.allocate(
                            8192)); // what the client sent, so closing is an end of stream, not a reset
                    client.write(ByteBuffer.wrap(BUSY)); // fits in a fresh socket's buffer; never waits
                }
                refused++;
                return true;
            });
        } catch (IOException e) {
            return false;
        }
    }

    private static byte[] busy() {
        byte[] body = Json.bytes(Bodies.ErrorBody.of(
                "the daemon has no file descriptor to spare (Too many open files); try again", List.of()));
        String head = "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nContent-Length: "
                + body.length + "\r\nRetry-After: 1\r\nConnection: close\r\n\r\n";
        byte[] bytes = new byte[head.length() + body.length];
        System.arraycopy(head.getBytes(StandardCharsets.US_ASCII), 0, bytes, 0, head.length());
        System.arraycopy(body, 0, bytes, head.length(), body.length);
        return bytes;
    }

    private static void say(String message) {
        System.err.println(Instant.now() + " drover: " + message);
    }
}
