package dev.drover.cli;

import dev.drover.control.Control;
import dev.drover.control.ControlException;
import dev.drover.daemon.DaemonLock;
import dev.drover.daemon.RuntimeDir;
import dev.drover.launch.ProcStat;
import java.io.IOException;
import java.util.List;
import java.util.Set;

/** `drover down`: stops every process and the daemon, and waits until it is gone. */
final class DownCommand extends RemoteCommand {
    @Override
    public String name() {
        return "down";
    }

    @Override
    public String summary() {
        return "stop every process in reverse dependency order, then the daemon";
    }

    @Override
    public String usage() {
        return """
                Usage: drover down [--file FILE] [--runtime-dir DIR] [--force] [--timeout 120s]

                Stops every process in reverse dependency order (each with its stop signal, then
                SIGKILL after its stop_timeout), then the daemon; returns once the daemon has
                exited. --force skips the stop_timeouts: what does not stop at once is killed.
                """;
    }

    @Override
    Arguments parse(List<String> args) throws CliException {
        Arguments arguments = Arguments.parse(name(), args, Set.of("--force"), Set.of("--timeout"));
        Durations.parse(arguments.values.getOrDefault("--timeout", "120s"));
        return arguments;
    }

    @Override
    int run(Arguments arguments, Control control) throws ControlException, CliException {
        RuntimeDir runtime = Daemons.runtime(arguments);
        int pid = runtime.recordedPid();
        ProcStat daemon = pid > 0 ? ProcStat.readLight(pid) : null;
        control.shutdown(arguments.flags.contains("--force"));
        long deadline = System.nanoTime()
                + Durations.parse(arguments.values.getOrDefault("--timeout", "120s"))
                        .toNanos();
        try {
            while (DaemonLock.isHeld(runtime) || running(daemon)) {
                if (System.nanoTime() > deadline) {
                    throw new CliException(ExitCodes.FAILED, "the daemon is still stopping; see " + runtime.log());
                }
                Thread.sleep(10);
            }
        } catch (IOException e) {
            throw new CliException(ExitCodes.FAILED, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        System.out.println("all processes stopped; daemon exited");
        return ExitCodes.OK;
    }

    /**
     * Whether the daemon seen before is still running: the same PID and start time, and not a
     * zombie (an exited daemon waits as one until its parent, often init, reaps it).
     */
    private static boolean running(ProcStat before) {
        if (before == null) {
            return false;
        }
        ProcStat now = ProcStat.readLight(before.pid());
        return now != null && now.startTime() == before.startTime() && !now.zombie();
    }
}
