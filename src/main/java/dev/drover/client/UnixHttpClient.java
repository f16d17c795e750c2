package dev.drover.client;

import dev.drover.control.ControlException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * HTTP/1.1 over the daemon's Unix socket with nothing but the JDK: one connection per request,
 * {@code Connection: close}, a deadline that closes the connection of a daemon that does not
 * answer.
 */
final class UnixHttpClient {
    /** A complete answer. */
    record Reply(int status, String contentType, byte[] body) {}

    /** A connection whose answer's head has been read; the body is the caller's to read and close. */
    record Opened(SocketChannel channel, HttpReply reply) implements AutoCloseable {
        @Override
        public void close() {
            closeQuietly(channel);
        }
    }

    private final Path socket;
    private final Duration timeout;

    UnixHttpClient(Path socket, Duration timeout) {
        this.socket = socket;
        this.timeout = timeout;
    }

    Path socket() {
        return socket;
    }

    /** Sends one request (a JSON body when not null) and reads the whole answer. */
    Reply send(String method, String target, byte[] jsonBody) throws ControlException {
        SocketChannel channel = connect();
        Deadline deadline = new Deadline(channel, timeout);
        try {
            HttpReply reply = exchange(channel, method, target, jsonBody);
            byte[] body = reply.body().readAllBytes();
            return new Reply(reply.status(), reply.header("content-type"), body);
        } catch (IOException e) {
            throw deadline.expired() ? notAnswering() : lost(e);
        } finally {
            deadline.cancel();
            closeQuietly(channel);
        }
    }

    /**
     * Sends one request and returns once the head of the answer has arrived, for a body that
     * streams; the deadline covers only the head.
     */
    Opened open(String method, String target) throws ControlException {
        SocketChannel channel = connect();
        Deadline deadline = new Deadline(channel, timeout);
        try {
            return new Opened(channel, exchange(channel, method, target, null));
        } catch (IOException e) {
            closeQuietly(channel);
            throw deadline.expired() ? notAnswering() : lost(e);
        } finally {
            deadline.cancel();
        }
    }

    private HttpReply exchange(SocketChannel channel, String method, String target, byte[] jsonBody)
            throws IOException {
        StringBuilder head = new StringBuilder(160)
                .append(method)
                .append(' ')
                .append(target)
                .append(" HTTP/1.1\r\n")
                .append("Host: localhost\r\n")
                .append("Connection: close\r\n")
                .append("Accept: application/json, text/event-stream\r\n");
        byte[] body = jsonBody == null ? new byte[0] : jsonBody;
        if (jsonBody != null) {
            head.append("Content-Type: application/json\r\n");
        }
        head.append("Content-Length: ").append(body.length).append("\r\n\r\n");
        byte[] headBytes = head.toString().getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer out = ByteBuffer.allocate(headBytes.length + body.length)
                .put(headBytes)
                .put(body)
                .flip();
        InputStream in = new BufferedInputStream(Channels.newInputStream(channel), 16 * 1024);
        try {
            while (out.hasRemaining()) {
                channel.write(out);
            }
        } catch (IOException notSent) {
            // The daemon may have answered before reading (a 503 when it has no descriptor to
            // spare) and closed: its answer is still there to read.
            try {
                return HttpReply.read(in);
            } catch (IOException noAnswer) {
                throw notSent;
            }
        }
        return HttpReply.read(in);
    }

    private SocketChannel connect() throws ControlException {
        if (!Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) {
            throw noDaemon();
        }
        SocketChannel channel = null;
        try {
            channel = SocketChannel.open(StandardProtocolFamily.UNIX);
            channel.connect(UnixDomainSocketAddress.of(socket));
            return channel;
        } catch (ConnectException e) {
            closeQuietly(channel);
            throw noDaemon(); // a socket file left by a daemon that died
        } catch (IOException e) {
            closeQuietly(channel);
            if (!Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) {
                throw noDaemon();
            }
            throw new ControlException(
                    ControlException.UNREACHABLE,
                    "cannot connect to the drover daemon at " + socket + ": " + e.getMessage());
        }
    }

    private ControlException noDaemon() {
        Path runtimeDir = socket.getParent() == null ? socket : socket.getParent();
        return new ControlException(
                ControlException.UNREACHABLE,
                "no drover daemon is running for " + runtimeDir + " (start one with `drover up -d`)");
    }

    private ControlException notAnswering() {
        return new ControlException(504, "the drover daemon did not answer within " + timeout.toSeconds() + "s");
    }

    private static ControlException lost(IOException e) {
        return new ControlException(502, "lost the connection to the drover daemon: " + e.getMessage());
    }

    static void closeQuietly(SocketChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                // closing is all that was left to do
            }
        }
    }

    /** Closes the connection when the daemon takes longer than the timeout, which unblocks the reader. */
    private static final class Deadline {
        private final AtomicBoolean settled = new AtomicBoolean();
        private final Thread watchdog;
        private volatile boolean expired;

        Deadline(SocketChannel channel, Duration timeout) {
            watchdog = Thread.ofPlatform()
                    .daemon()
                    .name("drover-client-deadline")
                    .start(() -> {
                        try {
                            Thread.sleep(timeout);
                        } catch (InterruptedException e) {
                            return; // answered in time
                        }
                        if (settled.compareAndSet(false, true)) {
                            expired = true;
                            closeQuietly(channel);
                        }
                    });
        }

        boolean expired() {
            return expired;
        }

        /** After this, the deadline can no longer close the connection. */
        void cancel() {
            if (settled.compareAndSet(false, true)) {
                watchdog.interrupt();
            }
        }
    }
}
