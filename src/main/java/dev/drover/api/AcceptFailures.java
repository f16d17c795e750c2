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

/**
 * What a listener's acceptor thread does when accepting a connection fails. When the descriptor
 * table is full, a client waiting in the accept queue is taken on a spare descriptor the listener
 * keeps for this, told so in a 503 and closed, so that it gets an answer rather than a hang and the
 * acceptor does not spin on a queue it cannot empty. (The kernel takes a descriptor number before
 * it waits for a client, so with a full table every attempt fails at once: the spare is the
 * listener's own, never the reserve that stops need.) The daemon's log says so once per episode,
 * with a count, never once per attempt.
 */
final class AcceptFailures {
    /** Pause after a failure that the reserve could not get past, so that a full table costs no CPU. */
    private static final long PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

    private static final byte[] BUSY = busy();

    private final String listener;
    private final Descriptors.Spare spare = new Descriptors.Spare();
    private boolean exhausted;
    private long refused;

    AcceptFailures(String listener) {
        this.listener = listener;
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
