package dev.drover.launch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drover.Waits;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The notify thread on real AF_UNIX datagram sockets: what it hands on, drops, and survives. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NotifyReceiverTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private final NotifyReceiver receiver = new NotifyReceiver();
    private final List<String> heard = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        receiver.stop();
    }

    /** Records what it is told as "received: …" or "oversized: N". */
    private NotifySocket.Listener recorder(String name) {
        return new NotifySocket.Listener() {
            @Override
            public void received(String message) {
                heard.add(name + " received: " + message);
            }

            @Override
            public void oversized(long length) {
                heard.add(name + " oversized: " + length);
            }
        };
    }

    @Test
    void aDatagramLongerThan4096BytesIsDroppedWholeAndTheNextIsRead() throws Exception {
        NotifySocket socket = receiver.open(dir.resolve("a.sock").toString(), recorder("a"));
        SystemdNotifier child = new SystemdNotifier(socket.address());
        assertThat(child.send("MAINPID=4242\n" + "x".repeat(5000))).isTrue();
        assertThat(child.send("READY=1")).isTrue();
        Waits.until(WAIT, "both datagrams seen", () -> heard.size() == 2, () -> "heard: " + heard);
        assertThat(heard).containsExactly("a oversized: 5013", "a received: READY=1");
        socket.close();
    }

    @Test
    void aNotifyThreadKilledByAListenerIsStartedAgainByTheNextOpenAndReadsTheEarlierSocketsToo() throws Exception {
        NotifySocket first = receiver.open(dir.resolve("first.sock").toString(), message -> {
            if (message.equals("die")) {
                throw new StackOverflowError("a listener bug that is not a RuntimeException");
            }
            heard.add("first received: " + message);
        });
        assertThat(new SystemdNotifier(first.address()).send("die")).isTrue();
        Waits.until(WAIT, "the notify thread dead", () -> !receiver.alive(), () -> "alive: " + receiver.alive());

        NotifySocket second = receiver.open(dir.resolve("second.sock").toString(), recorder("second"));
        assertThat(receiver.alive()).isTrue();
        assertThat(new SystemdNotifier(second.address()).send("READY=1")).isTrue();
        assertThat(new SystemdNotifier(first.address()).send("STATUS=still here"))
                .isTrue();
        Waits.until(
                WAIT,
                "both sockets read by the new thread",
                () -> heard.containsAll(List.of("second received: READY=1", "first received: STATUS=still here")),
                () -> "heard: " + heard + ", alive: " + receiver.alive());
        first.close();
        second.close();
    }
}
