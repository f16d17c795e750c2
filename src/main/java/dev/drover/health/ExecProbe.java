package dev.drover.health;

import dev.drover.launch.Child;
import dev.drover.launch.ExitStatus;
import dev.drover.launch.OsEdge;
import dev.drover.launch.OutputSink;
import dev.drover.launch.Signals;
import dev.drover.launch.SpawnException;
import dev.drover.launch.SpawnSpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Succeeds when a command exits with code 0 within the timeout; one that hangs is killed. */
public record ExecProbe(OsEdge os, List<String> argv, Map<String, String> env, Path cwd) implements Probe {
    private static final int KEEP_OUTPUT = 200;

    @Override
    public ProbeResult check(Duration timeout) throws InterruptedException {
        Tail output = new Tail();
        Child child;
        try {
            child = os.spawn(new SpawnSpec(argv, env, cwd, null), output, output);
        } catch (SpawnException e) {
            return ProbeResult.failed(e.getMessage());
        }
        try {
            ExitStatus exit = child.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            String said = output.text();
            return exit.success()
                    ? ProbeResult.ok("exec: " + exit)
                    : ProbeResult.failed(
                            "exec " + String.join(" ", argv) + ": " + exit + (said.isEmpty() ? "" : ": " + said));
        } catch (TimeoutException e) {
            return ProbeResult.failed(
                    "exec " + String.join(" ", argv) + ": timed out after " + timeout.toMillis() + "ms");
        } catch (ExecutionException e) {
            return ProbeResult.failed("exec: " + e.getCause());
        } finally {
            // Whatever way the check ends (timed out, interrupted by a stop), a probe leaves no process behind.
            child.stop(Signals.SIGKILL, Duration.ZERO);
        }
    }

    /** Keeps the last few bytes of the probe's output for the failure message. */
    private static final class Tail implements OutputSink {
        private final StringBuilder text = new StringBuilder();

        @Override
        public synchronized void onData(byte[] buffer, int length) {
            text.append(new String(buffer, 0, length, StandardCharsets.UTF_8));
            if (text.length() > KEEP_OUTPUT) {
                text.delete(0, text.length() - KEEP_OUTPUT);
            }
        }

        @Override
        public void onClose() {}

        synchronized String text() {
            return text.toString().strip().replace('\n', ' ');
        }
    }
}
