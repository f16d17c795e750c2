package dev.drover.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drover.launch.ErrnoException;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A full descriptor table met by an acceptor, with a clock the test moves. */
@Timeout(30)
class AcceptFailuresTest {
    private static final int EMFILE = 24;
    private static final ErrnoException FULL = new ErrnoException("accept", EMFILE);
    private static final long STEP = TimeUnit.MILLISECONDS.toNanos(10);

    @TempDir
    Path dir;

    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private ServerSocketChannel server;

    @BeforeEach
    void listen() throws IOException {
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(dir.resolve("api.sock")));
    }

    @AfterEach
    void close() throws IOException {
        server.close();
    }

    @Test
    void aShortageIsWaitedOutForTheGraceBeforeAWaitingClientIsTurnedAway() throws IOException {
        AcceptFailures failures = new AcceptFailures("a test socket", now::get);
        try (SocketChannel client = waitingClient()) {
            long start = now.get();
            assertThat(failures.handle(FULL, true, server)).isTrue();
            while (now.get() - start < AcceptFailures.GRACE_NANOS - STEP) { // retried every step of the grace
                advance(STEP);
                assertThat(failures.handle(FULL, true, server)).isTrue();
            }
            advance(AcceptFailures.GRACE_NANOS - (now.get() - start) - 1);
            assertThat(failures.handle(FULL, true, server)).isTrue();
            assertThat(answer(client))
                    .as("still in the accept queue within the grace")
                    .isEmpty();

            advance(1);
            assertThat(failures.handle(FULL, true, server)).isTrue();
            assertThat(answer(client))
                    .startsWith("HTTP/1.1 503")
                    .contains("Retry-After: 1")
                    .contains("the daemon has no file descriptor to spare (Too many open files); try again");
        }
    }

    @Test
    void aShortageAfterAQuietSpellHasAGraceOfItsOwnWhileOneThatGoesOnDoesNot() throws IOException {
        AcceptFailures failures = new AcceptFailures("a test socket", now::get);
        try (SocketChannel first = waitingClient()) {
            failures.handle(FULL, true, server);
            long start = now.get();
            while (now.get() - start < AcceptFailures.GRACE_NANOS) { // a failure every step: one shortage
                advance(STEP);
                failures.handle(FULL, true, server);
            }
            assertThat(answer(first)).startsWith("HTTP/1.1 503");
        }
        try (SocketChannel second = waitingClient()) {
            advance(TimeUnit.MILLISECONDS.toNanos(300));
            failures.handle(FULL, true, server);
            assertThat(answer(second)).as("the same shortage: no new grace").startsWith("HTTP/1.1 503");
        }
        failures.accepted();
        advance(TimeUnit.SECONDS.toNanos(5));
        try (SocketChannel third = waitingClient()) {
            failures.handle(FULL, true, server);
            assertThat(answer(third))
                    .as("a new shortage, 5 s later: waited out first")
                    .isEmpty();
        }
    }

    @Test
    void aFailureWhileTheListenerStopsEndsTheAcceptor() {
        AcceptFailures failures = new AcceptFailures("a test socket", now::get);
        assertThat(failures.handle(FULL, false, server)).isFalse();
        assertThat(failures.handle(new java.nio.channels.ClosedChannelException(), true, server))
                .isFalse();
    }

    private void advance(long nanos) {
        now.addAndGet(nanos);
    }

    private SocketChannel waitingClient() throws IOException {
        SocketChannel client = SocketChannel.open(StandardProtocolFamily.UNIX);
        client.connect(server.getLocalAddress());
        client.write(ByteBuffer.wrap(
                "GET /api/processes HTTP/1.1\r\nHost: drover\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
        return client;
    }

    /**
     * What the listener has sent so far: empty while the client waits in the accept queue. A refusal
     * is written and closed within {@code handle}, so it is all there when that returns.
     */
    private static String answer(SocketChannel client) throws IOException {
        client.configureBlocking(false);
        ByteBuffer buffer = ByteBuffer.allocate(8192);
        while (client.read(buffer) > 0) {
            // until nothing more is there, or the end
        }
        return new String(buffer.array(), 0, buffer.position(), StandardCharsets.US_ASCII);
    }
}
