package dev.drover.launch;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntConsumer;

/**
 * Reaps every child of this JVM on one platform thread: the children Drover spawned (each exit
 * completes a future) and the orphans that reach us as child subreaper. The thread waits in epoll
 * on a pidfd per spawned child, so an exit is seen at once; orphans have no pidfd and are reaped at
 * the latest after {@link #ORPHAN_SWEEP_MS} while anything exits, {@link #IDLE_SWEEP_MS} after ten
 * quiet seconds. Nothing else in the JVM may start processes, or its
 * exit statuses are taken.
 */
final class Reaper {
    static final int ORPHAN_SWEEP_MS = 500;
    /** The sweep once nothing has exited for {@link #ACTIVE_NANOS}. */
    static final int IDLE_SWEEP_MS = 5_000;

    private static final long ACTIVE_NANOS = 10_000_000_000L;
    private static final int MAX_EVENTS = 64;

    private final Object lock = new Object();
    private final Map<Integer, CompletableFuture<ExitStatus>> waiting = new HashMap<>();
    private final Map<Integer, Integer> pidfds = new HashMap<>();
    /** Exits of PIDs nobody had claimed yet: a child spawned a moment ago, or an orphan. */
    private final Map<Integer, Unclaimed> unclaimed = new HashMap<>();

    private final IntConsumer orphanReaped;
    private final Wakeup wakeup = new Wakeup();
    private Thread thread;

    Reaper(IntConsumer orphanReaped) {
        this.orphanReaped = orphanReaped;
    }

    void start() {
        thread = Thread.ofPlatform()
                .name("drover-reaper")
                .daemon()
                .stackSize(256 * 1024)
                .unstarted(this::run);
        thread.start();
    }

    boolean alive() {
        return thread != null && thread.isAlive();
    }

    /**
     * Lets the thread leave its native wait, so the JVM can exit without waiting for it, and waits
     * (at most {@code within}) while it reaps the children that are left: the escapees a stop has
     * just killed would otherwise pass to our own parent as zombies.
     */
    void stop(java.time.Duration within) {
        wakeup.stop();
        if (thread != null && Thread.currentThread() != thread) {
            try {
                thread.join(within);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Spawns, then claims the child's exit. Spawns run in parallel, outside the lock; a child
     * that exits (and is reaped) before it is claimed has its exit kept for it meanwhile.
     */
    <T> T spawnAndRegister(SpawnAction<T> spawn, CompletableFuture<ExitStatus> exit) throws SpawnException {
        long before;
        synchronized (lock) {
            before = reaps;
        }
        T result = spawn.spawn();
        int pid = spawn.pid(result);
        synchronized (lock) {
            Unclaimed early = unclaimed.get(pid);
            if (early != null && early.sequence() > before) {
                unclaimed.remove(pid);
                exit.complete(early.exit());
                return result;
            }
            waiting.put(pid, exit);
            int pidfd = pidfdOpen(pid);
            if (pidfd >= 0) {
                pidfds.put(pid, pidfd);
                wakeup.add(pidfd, pid);
            }
            return result;
        }
    }

    private record Unclaimed(ExitStatus exit, long reapedAtNanos, long sequence) {}

    /** Counts reaps; a spawner may claim only exits reaped after its spawn began (PIDs recycle). */
    private long reaps;

    /** How long an exit waits for its spawner to claim it before it counts as an orphan's. */
    private static final long CLAIM_NANOS = 1_000_000_000L;

    interface SpawnAction<T> {
        T spawn() throws SpawnException;

        int pid(T result);
    }

    private void run() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment err = Libc.errnoState(arena);
            MemorySegment info = arena.allocate(Libc.SIGINFO_SIZE);
            MemorySegment events = arena.allocate(Libc.EPOLL_EVENT_SIZE * MAX_EVENTS);
            long activeAt = System.nanoTime();
            int sweepMs = ORPHAN_SWEEP_MS;
            while (!wakeup.stopping()) {
                int ready = (int) Libc.epoll_wait.invokeExact(err, wakeup.epollFd, events, MAX_EVENTS, sweepMs);
                int reaped = reapAll(err, info);
                countUnclaimedAsOrphans();
                // Orphans come with activity (a child's exit, a stop): sweep often while there is
                // some, rarely once all is quiet, so that an idle Drover does not wake for nothing.
                long now = System.nanoTime();
                if (ready > 0 || reaped > 0) {
                    activeAt = now;
                }
                sweepMs = now - activeAt < ACTIVE_NANOS ? ORPHAN_SWEEP_MS : IDLE_SWEEP_MS;
            }
            reapUntilChildless(err, info);
        } catch (Throwable t) {
            // The reaper must not die silently: without it no exit is ever seen.
            t.printStackTrace();
            throw new IllegalStateException("reaper failed", t);
        }
    }

    /**
     * At exit: reaps until this process has no child left, for at most {@link #EXIT_DRAIN_NANOS}
     * (a child that is still alive then is left to whoever reaps after us).
     */
    private void reapUntilChildless(MemorySegment err, MemorySegment info) throws Throwable {
        long deadline = System.nanoTime() + EXIT_DRAIN_NANOS;
        while (true) {
            reapAll(err, info);
            info.fill((byte) 0);
            int rc = (int) Libc.Reaping.waitid.invokeExact(
                    err, Libc.P_ALL, 0, info, Libc.WEXITED | Libc.WNOHANG | Libc.WNOWAIT);
            boolean childless = rc != 0 && Libc.errno(err) == Libc.ECHILD;
            if (childless || System.nanoTime() > deadline) {
                return;
            }
            Thread.sleep(10);
        }
    }

    /** How long the reaper goes on reaping at exit while children are left. */
    private static final long EXIT_DRAIN_NANOS = 1_000_000_000L;

    /** Reaps every child that has exited, ours and orphans alike; returns how many. */
    private int reapAll(MemorySegment err, MemorySegment info) throws Throwable {
        for (int reaped = 0; ; reaped++) {
            info.fill((byte) 0);
            int rc = (int) Libc.Reaping.waitid.invokeExact(err, Libc.P_ALL, 0, info, Libc.WEXITED | Libc.WNOHANG);
            int pid = info.get(ValueLayout.JAVA_INT, 16);
            if (rc != 0 || pid == 0) {
                return reaped;
            }
            int code = info.get(ValueLayout.JAVA_INT, 8);
            int status = info.get(ValueLayout.JAVA_INT, 24);
            ExitStatus exit = code == Libc.CLD_EXITED
                    ? ExitStatus.exited(status)
                    : ExitStatus.killed(status, code == Libc.CLD_DUMPED);
            CompletableFuture<ExitStatus> future;
            Integer pidfd;
            synchronized (lock) {
                future = waiting.remove(pid);
                pidfd = pidfds.remove(pid);
                reaps++;
                if (future == null) {
                    unclaimed.put(pid, new Unclaimed(exit, System.nanoTime(), reaps));
                }
            }
            if (pidfd != null) {
                int ignored = (int) Libc.close.invokeExact(err, (int) pidfd);
            }
            if (future != null) {
                future.complete(exit);
            }
        }
    }

    private void countUnclaimedAsOrphans() {
        long now = System.nanoTime();
        java.util.List<Integer> orphans = new java.util.ArrayList<>();
        synchronized (lock) {
            unclaimed.entrySet().removeIf(e -> {
                boolean old = now - e.getValue().reapedAtNanos() > CLAIM_NANOS;
                if (old) {
                    orphans.add(e.getKey());
                }
                return old;
            });
        }
        orphans.forEach(orphanReaped::accept);
    }

    private static int pidfdOpen(int pid) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment err = Libc.errnoState(arena);
            return (int) Libc.pidfd_open.invokeExact(err, pid, 0);
        } catch (Throwable t) {
            return -1;
        }
    }
}
