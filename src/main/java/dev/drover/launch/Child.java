package dev.drover.launch;

import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * A started child: its PID and start time, its exit, and the handles to stop ({@link TreeStop})
 * and measure ({@link TreeMeter}) everything it started since ({@link ChildTree}).
 */
public final class Child {
    private final int pid;
    /** -1 when it could not be read at spawn (no descriptor to spare); read again on first use. */
    private volatile long startTime;

    private final CompletableFuture<ExitStatus> exit;
    /** System.nanoTime() just after the spawn. */
    private final long startedAtNanos = System.nanoTime();

    private final ChildTree tree;
    private final TreeMeter meter;
    private volatile boolean forceRequested;
    private Runnable startReading;

    Child(int pid, long startTime, ChildTree tree, CompletableFuture<ExitStatus> exit, Runnable startReading) {
        this.pid = pid;
        this.startTime = startTime;
        this.tree = tree;
        this.meter = new TreeMeter(tree);
        this.exit = exit;
        this.startReading = startReading;
    }

    public int pid() {
        return pid;
    }

    /** When it was spawned, on the System.nanoTime() clock. */
    public long startedAtNanos() {
        return startedAtNanos;
    }

    /** Begins reading the child's stdout and stderr (once; later calls do nothing). */
    public synchronized void startReading() {
        if (startReading != null) {
            startReading.run();
            startReading = null;
        }
    }

    public ProcessRef ref() {
        if (startTime < 0 && !exit.isDone()) {
            // Not reaped yet, so the PID is still this child's: safe to read its start time now.
            try {
                ProcStat stat = ProcStat.read(pid);
                if (stat != null && !exit.isDone()) {
                    startTime = stat.startTime();
                }
            } catch (Descriptors.ExhaustedException e) {
                // still short: signals to it fail until the next try
            }
        }
        return new ProcessRef(pid, startTime);
    }

    public CompletableFuture<ExitStatus> onExit() {
        return exit;
    }

    public boolean usesCgroup() {
        return tree.cgroup() != null;
    }

    /** Its cgroup's directory, or null without one. */
    java.nio.file.Path cgroup() {
        return tree.cgroup();
    }

    void movedIntoCgroup() {
        tree.movedIntoCgroup();
    }

    /** Signals the main process only, if it has not exited. */
    public boolean signal(int signal) {
        return !exit.isDone() && Signals.send(ref(), signal);
    }

    /** Every process this child started that is still alive, the main process included while it runs. */
    public List<ProcessRef> leftovers() {
        return tree.members(true, exit.isDone());
    }

    /**
     * Stops the child and everything it started: {@code signal} to its group and its escapees,
     * then, after {@code grace} (or at once after {@link #forceKill()}), SIGKILL to whatever is left.
     */
    public CompletableFuture<StopOutcome> stop(int signal, Duration grace) {
        CompletableFuture<StopOutcome> outcome = new CompletableFuture<>();
        TreeStop stop = new TreeStop(this, tree, exit);
        RuntimeException unsent = null;
        try {
            stop.signalGroup(signal);
        } catch (RuntimeException e) {
            // The rest of the stop signals the group again and kills it after the grace; the caller
            // always gets an outcome to act on, never an exception instead of one.
            unsent = e;
        }
        RuntimeException first = unsent;
        Thread.ofVirtual().name("drover-stop-" + pid).start(() -> {
            try {
                outcome.complete(stop.run(signal, grace));
            } catch (Throwable t) {
                if (first != null) {
                    t.addSuppressed(first);
                }
                outcome.completeExceptionally(t);
            }
        });
        return outcome;
    }

    /**
     * Clears what a child that exited by itself left behind: a stop of what is left. Thorough, like
     * any stop: what it forked before its move into the cgroup is found only by the /proc walk.
     */
    public CompletableFuture<StopOutcome> cleanUpAfterExit(int signal, Duration grace) {
        return stop(signal, grace);
    }

    /** Skips what remains of the grace period of a stop in progress, and kills everything now. */
    public void forceKill() {
        forceRequested = true;
        new TreeStop(this, tree, exit).killEverything();
    }

    boolean forceRequested() {
        return forceRequested;
    }

    /**
     * Measures each child in one round, with at most one read of /proc for all.
     *
     * @param walk read all of /proc to find members outside the cgroups; without it, children in
     *     their cgroup are measured from it and the outside members the last walk found
     */
    public static Map<Child, Usage> measure(Collection<Child> children, boolean walk) {
        boolean needed = walk || children.stream().anyMatch(c -> !c.tree.inCgroup());
        ProcessTable table = needed ? ProcessTable.scan(System.nanoTime()) : null;
        Map<Child, Usage> usage = new LinkedHashMap<>();
        for (Child child : children) {
            usage.put(child, child.meter.measure(table));
        }
        return usage;
    }

    @Override
    public String toString() {
        return "child " + pid;
    }
}
