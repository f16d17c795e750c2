package dev.drover.launch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * Finds and stops what an earlier Drover that died without cleaning up (SIGKILL, OOM) left
 * running: every process whose environment carries that Drover's marker prefix, and everything in
 * its cgroups.
 */
public final class Remnants {
    private Remnants() {}

    /** The live processes marked with {@code markerPrefix} (e.g. "4242.987654-"). */
    public static List<ProcessRef> find(String markerPrefix) {
        List<ProcessRef> found = new ArrayList<>();
        String wanted = Launcher.MARKER_VARIABLE + "=" + markerPrefix;
        for (ProcStat stat : ProcessTable.scan(System.nanoTime()).all()) {
            if (!stat.zombie()
                    && stat.pid() != Launcher.selfPid()
                    && ProcessTable.environStartsWith(stat.pid(), wanted)) {
                found.add(new ProcessRef(stat.pid(), stat.startTime()));
            }
        }
        return found;
    }

    /**
     * Stops them: {@code signal} first, SIGKILL to what is left after {@code grace}; also kills and
     * removes the earlier Drover's cgroups (drover-PID.starttime under the cgroup2 mount).
     *
     * @return how many processes were found
     */
    public static int stop(String markerPrefix, int signal, Duration grace) {
        List<ProcessRef> found = find(markerPrefix);
        found.forEach(ref -> sendQuietly(ref, signal));
        found.forEach(ref -> sendQuietly(ref, Signals.SIGCONT));
        long deadline = System.nanoTime() + grace.toNanos();
        while (found.stream().anyMatch(Remnants::mayLive) && System.nanoTime() < deadline) {
            LockSupport.parkNanos(Duration.ofMillis(10).toNanos());
        }
        found.stream().filter(Remnants::mayLive).forEach(ref -> sendQuietly(ref, Signals.SIGKILL));
        // The marker prefix is "PID.starttime-": the same identity names the dead Drover's cgroups.
        Path cgroups = Cgroups.siblingBase(markerPrefix.substring(0, markerPrefix.length() - 1));
        if (cgroups != null && Files.isDirectory(cgroups)) {
            try (var dirs = Files.list(cgroups)) {
                for (Path dir : dirs.filter(Files::isDirectory).toList()) {
                    Cgroups.kill(dir);
                    long until = System.nanoTime() + Duration.ofSeconds(2).toNanos();
                    while (!Cgroups.pids(dir).isEmpty() && System.nanoTime() < until) {
                        LockSupport.parkNanos(Duration.ofMillis(5).toNanos());
                    }
                    Cgroups.remove(dir);
                }
            } catch (IOException e) {
                // already gone
            }
            Cgroups.remove(cgroups);
        }
        return found.size();
    }

    /** Alive, or unknown for lack of a descriptor. */
    private static boolean mayLive(ProcessRef ref) {
        try {
            return ref.isAlive();
        } catch (Descriptors.ExhaustedException e) {
            return true;
        }
    }

    /** One process short of a descriptor does not stop the others from being signalled. */
    private static void sendQuietly(ProcessRef ref, int signal) {
        try {
            Signals.send(ref, signal);
        } catch (Descriptors.ExhaustedException e) {
            // the cgroups below are killed regardless
        }
    }
}
