package dev.drover.launch;

import java.nio.file.Path;
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
 * A started child: its PID and start time, its exit, and everything it started since — found in its
 * cgroup, or else through its session, its process tree and the marker in its environment.
 */
public final class Child {
    private static final Duration POLL = Duration.ofMillis(10);
    private static final Duration KILL_GRACE = Duration.ofSeconds(5);

    private final Launcher launcher;
    private final int pid;
    /** -1 when it could not be read at spawn (no descriptor to spare); read again on first use. */
    private volatile long startTime;
    private final Path cgroup;
    private final String marker;
    private final CompletableFuture<ExitStatus> exit;
    /** System.nanoTime() just after the spawn. */
    private final long startedAtNanos = System.nanoTime();
    private volatile boolean forceRequested;
    /** The child is in its cgroup (the move happens just after spawn, on another thread). */
    private volatile boolean inCgroup;

    private Runnable startReading;
    /** For {@link #usage}: each process's CPU ticks at the last sample, to add up only what is new. */
    private final Map<Long, Long> ticksSeen = new java.util.HashMap<>();
    private long cpuNanos;
    private long outsideCpuNanos;
    /** Members the last /proc walk found outside the cgroup (forked before the move into it). */
    private final java.util.Set<Integer> outside = new java.util.HashSet<>();

    Child(Launcher launcher, int pid, long startTime, Path cgroup, String marker, CompletableFuture<ExitStatus> exit, Runnable startReading) {
        this.startReading = startReading;
        this.launcher = launcher;
        this.pid = pid;
        this.startTime = startTime;
        this.cgroup = cgroup;
        this.marker = marker;
        this.exit = exit;
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
        return cgroup != null;
    }

    void movedIntoCgroup() {
        inCgroup = true;
    }

    /** Signals the main process only, if it has not exited. */
    public boolean signal(int signal) {
        return !exit.isDone() && Signals.send(ref(), signal);
    }

    /**
     * Every process this child started that is still alive, the main process included while it
     * runs; each named with its start time.
     */
    public List<ProcessRef> leftovers() {
        return leftovers(true);
    }

    /**
     * @param thorough also walk /proc (session, tree, marker) even when the cgroup is set up; a
     *     quick look trusts the cgroup alone once the child is in it
     */
    List<ProcessRef> leftovers(boolean thorough) {
        Map<Integer, ProcessRef> refs = new LinkedHashMap<>();
        // The cgroup also holds escapees that cleared their environment; the tree walk covers what a
        // child forked in the instant between its spawn and its move into the cgroup.
        if (cgroup != null) {
            for (int member : Cgroups.pids(cgroup)) {
                ProcessRef ref = ProcessRef.of(member);
                if (ref != null) {
                    refs.put(member, ref);
                }
            }
        }
        if (!thorough && inCgroup) {
            if (exit.isDone()) {
                refs.remove(pid);
            }
            return new ArrayList<>(refs.values());
        }
        ProcessTable table = ProcessTable.scan(System.nanoTime());
        for (int member : tree(table)) {
            refs.putIfAbsent(member, new ProcessRef(member, table.get(member).startTime()));
        }
        if (exit.isDone()) {
            refs.remove(pid);
        }
        return new ArrayList<>(refs.values());
    }

    /**
     * Measures the child and everything it started: the processes in its cgroup and those found
     * through /proc (its session, group, tree and marked orphans), which also covers what it forked
     * in the instant before its move into the cgroup. CPU time comes from the cgroup once the child
     * is in it (which counts processes that have already exited too), plus what members outside
     * it used; without a cgroup, from adding up what each live member used since the last sample.
     * Called by one sampler thread at a time.
     *
     * @param table a recent /proc snapshot, shared by all children measured in one round; null
     *     when the child is in its cgroup and the last walk's findings are recent enough
     */
    synchronized Usage usage(ProcessTable table) {
        java.util.Set<Integer> inGroup = inCgroup ? new java.util.HashSet<>(Cgroups.pids(cgroup)) : java.util.Set.of();
        java.util.Set<Integer> all = new java.util.LinkedHashSet<>(inGroup);
        if (table != null) {
            outside.clear();
            for (int member : tree(table)) {
                if (all.add(member)) {
                    outside.add(member);
                }
            }
        } else {
            all.addAll(outside); // found by the last walk; dead or reused PIDs drop out below
        }
        long rss = 0;
        long newTicks = 0;
        long newTicksOutside = 0;
        int count = 0;
        Map<Long, Long> seen = new java.util.HashMap<>();
        for (int member : all) {
            ProcStat stat = table == null ? null : table.get(member);
            if (stat == null) {
                stat = ProcStat.read(member); // newer than the snapshot, or no snapshot
            }
            if (stat == null || stat.zombie()) {
                outside.remove(member);
                continue;
            }
            count++;
            rss += stat.rssPages() * PAGE_SIZE;
            long ticks = stat.utimeTicks() + stat.stimeTicks();
            long key = ((long) stat.pid() << 32) ^ stat.startTime(); // a reused PID is another process
            long delta = Math.max(0, ticks - ticksSeen.getOrDefault(key, 0L));
            newTicks += delta;
            if (!inGroup.contains(member)) {
                newTicksOutside += delta;
            }
            seen.put(key, ticks);
        }
        ticksSeen.clear();
        ticksSeen.putAll(seen);
        long group = inCgroup ? Cgroups.cpuUsageNanos(cgroup) : -1;
        if (group >= 0) {
            outsideCpuNanos += newTicksOutside * NANOS_PER_TICK;
            cpuNanos = Math.max(cpuNanos, group + outsideCpuNanos);
        } else {
            cpuNanos += newTicks * NANOS_PER_TICK;
        }
        return new Usage(cpuNanos, rss, count);
    }

    /**
     * Measures each child (see {@link #usage}) in one round, with at most one read of /proc for all.
     *
     * @param walk read all of /proc to find members outside the cgroups; without it, children in
     *     their cgroup are measured from it and the outside members the last walk found
     */
    public static Map<Child, Usage> measure(java.util.Collection<Child> children, boolean walk) {
        boolean needed = walk || children.stream().anyMatch(c -> !c.inCgroup);
        ProcessTable table = needed ? ProcessTable.scan(System.nanoTime()) : null;
        Map<Child, Usage> usage = new LinkedHashMap<>();
        for (Child child : children) {
            usage.put(child, child.usage(table));
        }
        return usage;
    }

    /** Linux reports CPU time in clock ticks of 1/100 s (USER_HZ) on every architecture Drover runs on. */
    private static final long NANOS_PER_TICK = 10_000_000L;
    private static final long PAGE_SIZE = 4096;

    /** The live, non-zombie processes of this child found through /proc: its session, group, tree and marked orphans. */
    private java.util.Set<Integer> tree(ProcessTable table) {
        List<Integer> roots = new ArrayList<>(table.inSessionOrGroupOf(pid));
        int self = Launcher.selfPid();
        for (int orphan : table.childrenOf(self)) {
            if (!launcher.isSpawnedChild(orphan) && ProcessTable.environHas(orphan, marker)) {
                roots.add(orphan);
            }
        }
        java.util.Set<Integer> members = new java.util.LinkedHashSet<>();
        for (int member : table.withDescendants(roots)) {
            ProcStat stat = table.get(member);
            if (member != self && !stat.zombie()) {
                members.add(member);
            }
        }
        return members;
    }

    /**
     * Stops the child and everything it started: {@code signal} to its group and its escapees,
     * then, after {@code grace} (or at once after {@link #forceKill()}), SIGKILL to whatever is left.
     * Also used after the child exited by itself, to clear what it left behind.
     */
    public CompletableFuture<StopOutcome> stop(int signal, Duration grace) {
        return stop(signal, grace, true);
    }

    /**
     * Clears what a child that exited by itself left behind. Thorough, like a stop: what it forked
     * before its move into the cgroup is found only by the /proc walk.
     */
    public CompletableFuture<StopOutcome> cleanUpAfterExit(int signal, Duration grace) {
        return stop(signal, grace, true);
    }

    private CompletableFuture<StopOutcome> stop(int signal, Duration grace, boolean thorough) {
        CompletableFuture<StopOutcome> outcome = new CompletableFuture<>();
        Thread.ofVirtual().name("drover-stop-" + pid).start(() -> {
            try {
                outcome.complete(stopNow(signal, grace, thorough));
            } catch (Throwable t) {
                outcome.completeExceptionally(t);
            }
        });
        return outcome;
    }

    /** Skips what remains of the grace period of a stop in progress. */
    public void forceKill() {
        forceRequested = true;
        killEverything();
    }

    private StopOutcome stopNow(int signal, Duration grace, boolean thorough) throws InterruptedException {
        long deadline = System.nanoTime() + grace.toNanos();
        if (!exit.isDone()) {
            Signals.sendGroup(pid, signal);
            Signals.sendGroup(pid, Signals.SIGCONT);
        }
        // First what is cheap to find (the group, the cgroup); after the main process is gone,
        // one look for everything else it started. A look that cannot be made (no descriptor to
        // spare, even from the reserve) counts as "something may be left": the grace period runs
        // out and everything known is killed.
        Look look = new Look();
        signalAll(look.leftovers(false), signal, look);
        awaitExit(deadline);
        List<ProcessRef> left = look.leftovers(thorough);
        signalAll(left, signal, look);
        while (look.unsure(left) && !forceRequested && System.nanoTime() < deadline) {
            LockSupport.parkNanos(POLL.toNanos());
            left = look.leftovers(thorough);
        }
        if (!look.unsure(left) && exit.isDone()) {
            release();
            // A forced stop (forceKill) may already have killed everything: still forced.
            return new StopOutcome(exit.getNow(null), forceRequested, 0, null);
        }
        int killed = killEverything(look);
        awaitExit(System.nanoTime() + KILL_GRACE.toNanos());
        long killDeadline = System.nanoTime() + KILL_GRACE.toNanos();
        List<ProcessRef> after = look.leftovers(true);
        while (look.unsure(after) && System.nanoTime() < killDeadline) {
            killEverything(look);
            LockSupport.parkNanos(POLL.toNanos());
            after = look.leftovers(true);
        }
        boolean clear = !look.unsure(after);
        release();
        String unverified = clear ? null
                : look.lookTrouble != null ? "could not make sure that everything it started is gone (" + look.lookTrouble + ")"
                : look.signalTrouble != null ? "could not signal everything it started (" + look.signalTrouble + ")"
                : "some processes it started could not be killed";
        return new StopOutcome(exit.getNow(null), true, killed, unverified);
    }

    /**
     * The looks a stop takes for what is left, remembering everything seen: when a look cannot be
     * made, the processes seen before are what is known to signal.
     */
    private final class Look {
        private final Map<Integer, ProcessRef> seen = new LinkedHashMap<>();
        /** Why the last look could not be made; null when it was. */
        private String lookTrouble;
        /** Why a signal could not be sent, the last time one could not. */
        private String signalTrouble;
        private boolean failed;

        /** What is left, or what was seen before when this look could not be made (then {@link #failed}). */
        List<ProcessRef> leftovers(boolean thorough) {
            try {
                List<ProcessRef> found = Child.this.leftovers(thorough);
                found.forEach(ref -> seen.put(ref.pid(), ref));
                failed = false;
                lookTrouble = null;
                return found;
            } catch (Descriptors.ExhaustedException e) {
                lookTrouble = e.getMessage();
                failed = true;
                return new ArrayList<>(seen.values());
            }
        }

        /** True unless the last look was made and found nothing. */
        boolean unsure(List<ProcessRef> left) {
            return failed || !left.isEmpty();
        }
    }

    private void signalAll(List<ProcessRef> refs, int signal, Look look) {
        for (ProcessRef ref : refs) {
            if (ref.pid() != pid) {
                try {
                    Signals.send(ref, signal);
                    Signals.send(ref, Signals.SIGCONT);
                } catch (Descriptors.ExhaustedException e) {
                    look.signalTrouble = e.getMessage(); // no descriptor even from the reserve: the kill pass tries again
                }
            }
        }
    }

    private int killEverything() {
        return killEverything(new Look());
    }

    private int killEverything(Look look) {
        int killed = 0;
        if (!exit.isDone()) {
            Signals.sendGroup(pid, Signals.SIGKILL);
        }
        if (cgroup != null) {
            Cgroups.kill(cgroup);
        }
        for (ProcessRef ref : look.leftovers(true)) {
            try {
                if (ref.pid() != pid && Signals.send(ref, Signals.SIGKILL)) {
                    killed++;
                }
            } catch (Descriptors.ExhaustedException e) {
                look.signalTrouble = e.getMessage();
            }
        }
        return killed;
    }

    private void awaitExit(long deadlineNanos) throws InterruptedException {
        while (!exit.isDone() && !forceRequested) {
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

    private void release() {
        if (cgroup != null) {
            Cgroups.remove(cgroup);
        }
    }

    @Override
    public String toString() {
        return "child " + pid;
    }
}
