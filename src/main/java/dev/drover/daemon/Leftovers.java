package dev.drover.daemon;

import dev.drover.launch.Descriptors;
import dev.drover.launch.ProcessRef;
import dev.drover.launch.Remnants;
import dev.drover.launch.Signals;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a daemon that died (SIGKILL, OOM, a crash) left running, found from its state file: the
 * children it recorded (by PID and start time) and every process that carries its marker or sits
 * in its cgroups. Never by name. Used by the next daemon before it starts anything, and by
 * {@code drover cleanup} and {@code ps} when no daemon runs.
 */
public final class Leftovers {
    private final StateFile.State state;

    private Leftovers(StateFile.State state) {
        this.state = state;
    }

    /** The leftovers recorded in {@code runtime}'s state file, if its daemon is dead; none otherwise. */
    public static Leftovers of(RuntimeDir runtime) {
        StateFile.State state = StateFile.read(runtime.stateFile());
        if (state == null || state.daemon() == null || state.daemon().markerPrefix() == null) {
            return new Leftovers(null);
        }
        // A daemon killed with SIGKILL may linger as a zombie until its parent reaps it: that is dead.
        if (mayLive(new ProcessRef(state.daemon().pid(), state.daemon().startTime()))) {
            return new Leftovers(null); // its daemon lives: nothing is left over
        }
        return new Leftovers(state);
    }

    /** Whether there is a dead daemon's record at all. */
    public boolean recorded() {
        return state != null;
    }

    /** The dead daemon's PID, or -1. */
    public int daemonPid() {
        return state == null ? -1 : state.daemon().pid();
    }

    /** The config file the dead daemon ran, or null. */
    public String config() {
        return state == null ? null : state.daemon().config();
    }

    /** The processes still alive: recorded children whose PID still has its start time, and marked ones; by PID. */
    public Map<Integer, String> alive() {
        Map<Integer, String> alive = new LinkedHashMap<>();
        if (state == null) {
            return alive;
        }
        for (StateFile.Child child : state.children()) {
            if (child.startTime() >= 0 && mayLive(new ProcessRef(child.pid(), child.startTime()))) {
                alive.put(child.pid(), child.name());
            }
        }
        for (ProcessRef ref : Remnants.find(state.daemon().markerPrefix())) {
            alive.putIfAbsent(ref.pid(), "a process one of them started");
        }
        return alive;
    }

    /**
     * Stops them: {@code signal} first, SIGKILL to what is left after {@code grace}; also kills and
     * removes the dead daemon's cgroups. Returns what was alive before (by PID).
     */
    public Map<Integer, String> stop(int signal, Duration grace) {
        Map<Integer, String> alive = alive();
        if (state == null) {
            return alive;
        }
        List<ProcessRef> recorded = new ArrayList<>();
        for (StateFile.Child child : state.children()) {
            if (child.startTime() >= 0) {
                recorded.add(new ProcessRef(child.pid(), child.startTime()));
            }
        }
        // The recorded children first (a child that cleared its environment carries no marker), then
        // everything marked, and the cgroups.
        long deadline = System.nanoTime() + grace.toNanos();
        recorded.forEach(ref -> send(ref, signal));
        Remnants.stop(state.daemon().markerPrefix(), signal, grace);
        while (recorded.stream().anyMatch(Leftovers::mayLive) && System.nanoTime() < deadline) {
            java.util.concurrent.locks.LockSupport.parkNanos(
                    Duration.ofMillis(10).toNanos());
        }
        recorded.stream().filter(Leftovers::mayLive).forEach(ref -> send(ref, Signals.SIGKILL));
        return alive;
    }

    /** Forgets the record once everything is stopped. */
    public void forget(RuntimeDir runtime) throws IOException {
        Files.deleteIfExists(runtime.stateFile());
    }

    private static boolean mayLive(ProcessRef ref) {
        try {
            return ref.isRunning();
        } catch (Descriptors.ExhaustedException e) {
            return true;
        }
    }

    private static void send(ProcessRef ref, int signal) {
        try {
            Signals.send(ref, signal);
        } catch (Descriptors.ExhaustedException e) {
            // the marker and cgroup pass kills it regardless
        }
    }
}
