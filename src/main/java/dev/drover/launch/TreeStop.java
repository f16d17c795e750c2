package dev.drover.launch;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;

/**
 * One stop of a child and its tree: the stop signal to its group and to everything else it
 * started, then, after the grace period (or at once when forced), SIGKILL to whatever is left —
 * its group, its cgroup, and each process found. A look that cannot be made (no descriptor to
 * spare, even from the reserve) counts as "something may be left", never as "nothing".
 */
final class TreeStop {
    private static final Duration POLL = Duration.ofMillis(10);
    private static final Duration KILL_GRACE = Duration.ofSeconds(5);

    private final Child child;
    private final ChildTree tree;
    private final CompletableFuture<ExitStatus> exit;
    private final Map<Integer, ProcessRef> seen = new LinkedHashMap<>();
    /** Why the last look could not be made; null when it could. */
    private String lookTrouble;
    /** Why a signal could not be sent, the last time one could not. */
    private String signalTrouble;

    private boolean lookFailed;

    TreeStop(Child child, ChildTree tree, CompletableFuture<ExitStatus> exit) {
        this.child = child;
        this.tree = tree;
        this.exit = exit;
    }

    /**
     * The stop signal to the child's process group: the first step of a stop, taken on the caller's
     * thread so that a hundred stops begun together send a hundred signals at once, before any of
     * them runs the rest ({@link #run}) on its own thread.
     */
    void signalGroup(int signal) {
        if (!exit.isDone()) {
            Signals.sendGroup(child.pid(), signal);
            Signals.sendGroup(child.pid(), Signals.SIGCONT);
        }
    }

    /** The rest of the stop, after {@link #signalGroup}: what else it started, the wait, then SIGKILL. */
    StopOutcome run(int signal, Duration grace) throws InterruptedException {
        long deadline = System.nanoTime() + grace.toNanos();
        int pid = child.pid();
        // First what is cheap to find (the group, the cgroup); after the main process is gone, one
        // look for everything else it started.
        signalAll(look(false), signal);
        awaitExit(deadline);
        List<ProcessRef> left = look(true);
        signalAll(left, signal);
        while (unsure(left) && !child.forceRequested() && System.nanoTime() < deadline) {
            LockSupport.parkNanos(POLL.toNanos());
            left = look(true);
        }
        if (!unsure(left) && exit.isDone()) {
            tree.release();
            // A forced stop (forceKill) may already have killed everything: still forced.
            return new StopOutcome(exit.getNow(null), child.forceRequested(), 0, null);
        }
        int killed = killEverything();
        awaitExit(System.nanoTime() + KILL_GRACE.toNanos());
        long killDeadline = System.nanoTime() + KILL_GRACE.toNanos();
        List<ProcessRef> after = look(true);
        while (unsure(after) && System.nanoTime() < killDeadline) {
            killEverything();
            LockSupport.parkNanos(POLL.toNanos());
            after = look(true);
        }
        boolean clear = !unsure(after);
        tree.release();
        String unverified = clear
                ? null
                : lookTrouble != null
                        ? "could not make sure that everything it started is gone (" + lookTrouble + ")"
                        : signalTrouble != null
                                ? "could not signal everything it started (" + signalTrouble + ")"
                                : "some processes it started could not be killed";
        return new StopOutcome(exit.getNow(null), true, killed, unverified);
    }

    /** SIGKILL to the group, the cgroup and every member found; how many members were killed by name. */
    int killEverything() {
        int killed = 0;
        if (!exit.isDone()) {
            Signals.sendGroup(child.pid(), Signals.SIGKILL);
        }
        tree.killCgroup();
        for (ProcessRef ref : look(true)) {
            try {
                if (ref.pid() != child.pid() && Signals.send(ref, Signals.SIGKILL)) {
                    killed++;
                }
            } catch (Descriptors.ExhaustedException e) {
                signalTrouble = e.getMessage();
            }
        }
        return killed;
    }

    /** What is left, or what was seen before when this look could not be made. */
    private List<ProcessRef> look(boolean walk) {
        try {
            List<ProcessRef> found = tree.members(walk, exit.isDone());
            found.forEach(ref -> seen.put(ref.pid(), ref));
            lookFailed = false;
            lookTrouble = null;
            return found;
        } catch (Descriptors.ExhaustedException e) {
            lookTrouble = e.getMessage();
            lookFailed = true;
            return new ArrayList<>(seen.values());
        }
    }

    /** True unless the last look was made and found nothing. */
    private boolean unsure(List<ProcessRef> left) {
        return lookFailed || !left.isEmpty();
    }

    private void signalAll(List<ProcessRef> refs, int signal) {
        for (ProcessRef ref : refs) {
            if (ref.pid() != child.pid()) {
                try {
                    Signals.send(ref, signal);
                    Signals.send(ref, Signals.SIGCONT);
                } catch (Descriptors.ExhaustedException e) {
                    signalTrouble = e.getMessage(); // no descriptor even from the reserve: the kill pass tries again
                }
            }
        }
    }

    private void awaitExit(long deadlineNanos) throws InterruptedException {
        while (!exit.isDone() && !child.forceRequested()) {
            long left = deadlineNanos - System.nanoTime();
            if (left <= 0) {
                return;
            }
            try {
                exit.get(Math.min(left, POLL.toNanos() * 10), TimeUnit.NANOSECONDS);
            } catch (TimeoutException | ExecutionException e) {
                // loop: check the deadline and a forced stop again
            }
        }
    }
}
