package dev.drover.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drover.Waits;
import dev.drover.client.RemoteControl;
import dev.drover.control.ProcessInfo;
import dev.drover.launch.ProcessRef;
import dev.drover.launch.Signals;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * `drover top` in a real terminal: a tmux pane (on a tmux server of the test's own) runs it
 * against a real daemon; keys go in with send-keys and the screen comes back with capture-pane.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TopIT {
    private static final String CONFIG = """
            processes:
              ticker:
                command: "while true; do echo tick; sleep 0.5; done"
                restart: always
                backoff: {initial: 100ms}
                stop_timeout: 2s
              sleeper:
                command: "exec sleep 300"
            """;

    @TempDir
    Path dir;

    private Path socket;
    private RemoteControl control;

    @BeforeEach
    void up() throws Exception {
        Files.writeString(dir.resolve("drover.yaml"), CONFIG);
        DroverProcess up = DroverProcess.run(dir, "up", "-d");
        assertThat(up.exitCode()).as(up.text()).isZero();
        control = new RemoteControl(dir.resolve(".drover/drover.sock"));
        socket = dir.resolve("tmux.sock");
    }

    @AfterEach
    void down() throws Exception {
        if (Files.exists(socket)) {
            tmux("kill-server");
        }
        if (Files.exists(dir.resolve(".drover/drover.sock"))) {
            DroverProcess.run(dir, "down");
        }
    }

    @Test
    void onANonTerminalItPrintsOneSnapshotAndExits() throws Exception {
        DroverProcess top = DroverProcess.run(dir, "top");
        assertThat(top.exitCode()).as(top.text()).isZero();
        assertThat(top.output().getFirst()).startsWith("NAME").contains("STATE").contains("PID");
        assertThat(top.text()).contains("ticker").contains("sleeper");
    }

    @Test
    void theTableFollowsChangesAndKeysSelectRestartStopFilterAndQuitRestoringTheTerminal() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        tmux("new-session", "-d", "-s", "top", "-x", "120", "-y", "32", "-c", dir.toString(), "sh");
        tmux(
                "send-keys",
                "-t",
                "top",
                java + " -jar " + DroverProcess.jar() + " top; echo TOP-EXIT=$?; stty -a | grep -o -- ' -*icanon'",
                "Enter");
        awaitScreen(
                "the table with both processes",
                s -> s.contains("drover top — 2 processes")
                        && rowOf(s, "ticker") != null
                        && rowOf(s, "sleeper") != null);

        // A change made elsewhere shows: ticker killed from outside comes back with a new pid.
        int killed = pid("ticker");
        assertThat(Signals.send(ProcessRef.of(killed), Signals.SIGKILL)).isTrue();
        awaitScreen("ticker's new pid after SIGKILL of " + killed, s -> {
            int now = pidQuietly("ticker");
            String row = rowOf(s, "ticker");
            return now != killed && now > 0 && row != null && row.contains(" " + now + " ");
        });

        // Select the second process, restart it: a new pid, in the daemon and on the screen.
        tmux("send-keys", "-t", "top", "Down");
        awaitScreen("sleeper selected", s -> s.contains("── sleeper output"));
        int before = pid("sleeper");
        tmux("send-keys", "-t", "top", "r");
        awaitScreen("sleeper restarted", s -> {
            int now = pidQuietly("sleeper");
            String row = rowOf(s, "sleeper");
            return now != before && now > 0 && row != null && row.contains(" " + now + " ");
        });

        // Stop asks first: n keeps it, y stops it.
        int running = pid("sleeper");
        tmux("send-keys", "-t", "top", "x");
        awaitScreen("the stop question", s -> s.contains("stop sleeper? y/n"));
        tmux("send-keys", "-t", "top", "n");
        awaitScreen("the stop cancelled", s -> s.contains("stop of sleeper cancelled"));
        assertThat(pid("sleeper")).isEqualTo(running);
        tmux("send-keys", "-t", "top", "x");
        awaitScreen("the stop question", s -> s.contains("stop sleeper? y/n"));
        tmux("send-keys", "-t", "top", "y");
        awaitScreen("sleeper stopped", s -> {
            String row = rowOf(s, "sleeper");
            return row != null && row.contains("stopped");
        });

        // Filter, help, and quit.
        tmux("send-keys", "-t", "top", "/", "s", "l", "e", "Enter");
        awaitScreen("only sleeper left", s -> s.contains("filter: sle") && rowOf(s, "ticker") == null);
        tmux("send-keys", "-t", "top", "?");
        awaitScreen("the help", s -> s.contains("drover top — keys"));
        tmux("send-keys", "-t", "top", "Space");
        awaitScreen("the table again", s -> s.contains("filter: sle"));
        tmux("send-keys", "-t", "top", "q");
        awaitScreen(
                "top gone and the terminal back in canonical mode",
                s -> s.contains("TOP-EXIT=0") && s.lines().anyMatch(l -> l.equals(" icanon")));
    }

    @Test
    void ctrlCQuitsAndRestoresTheTerminal() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        tmux("new-session", "-d", "-s", "top", "-x", "100", "-y", "24", "-c", dir.toString(), "sh");
        tmux(
                "send-keys",
                "-t",
                "top",
                java + " -jar " + DroverProcess.jar() + " top; echo TOP-EXIT=$?; stty -a | grep -o -- ' -*icanon'",
                "Enter");
        awaitScreen("the table", s -> rowOf(s, "ticker") != null);
        tmux("resize-window", "-t", "top", "-x", "70", "-y", "20");
        awaitScreen(
                "the table redrawn for 70 columns",
                s -> s.lines().anyMatch(l -> l.startsWith("── ticker output") && l.length() <= 70 && l.length() >= 60));
        tmux("send-keys", "-t", "top", "C-c");
        awaitScreen(
                "top gone and the terminal restored",
                s -> s.contains("TOP-EXIT=0") && s.lines().anyMatch(l -> l.equals(" icanon")));
    }

    /** The line of the table whose first column is {@code id}, or null. */
    private static String rowOf(String screen, String id) {
        return screen.lines().filter(l -> l.startsWith(id + " ")).findFirst().orElse(null);
    }

    private int pid(String id) throws Exception {
        ProcessInfo info = control.process(id);
        return info.pid();
    }

    private int pidQuietly(String id) {
        try {
            return pid(id);
        } catch (Exception e) {
            return -1;
        }
    }

    private void awaitScreen(String what, java.util.function.Predicate<String> condition) {
        Waits.until(Duration.ofSeconds(20), what, () -> condition.test(capture()), this::capture);
    }

    private String capture() throws Exception {
        return tmux("capture-pane", "-p", "-t", "top");
    }

    private String tmux(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("tmux", "-S", socket.toString(), "-f", "/dev/null"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                throw new AssertionError("tmux " + String.join(" ", args) + " did not finish in 10 s");
            }
            return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } finally {
            process.destroyForcibly();
        }
    }
}
