package dev.drover.launch;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntConsumer;

/**
 * Reaps every child of this JVM with one blocking {@code waitid(P_ALL)} loop on a platform thread:
 * the children Drover spawned (their exit completes a future) and the orphans that reach us as
 * child subreaper. Nothing else in the JVM may start processes, or its exit statuses are taken.
 */
final class Reaper {
    private final Object lock = new Object();
    private final Map<Integer, CompletableFuture<ExitStatus>> waiting = new HashMap<>();
    private boolean spawnedSinceNoChildren;
    private final IntConsumer orphanReaped;

    Reaper(IntConsumer orphanReaped) {
        this.orphanReaped = orphanReaped;
    }

    private Thread thread;

    void start() {
        thread = Thread.ofPlatform().name("drover-reaper").daemon().stackSize(256 * 1024).unstarted(this::run);
        thread.start();
    }

    boolean alive() {
        return thread != null && thread.isAlive();
    }

    /** Holds the reaper's lock while {@code spawn} runs so an instant exit still finds its future. */
    <T> T spawnAndRegister(SpawnAction<T> spawn, CompletableFuture<ExitStatus> exit) throws SpawnException {
        synchronized (lock) {
            T result = spawn.spawn();
            waiting.put(spawn.pid(result), exit);
            spawnedSinceNoChildren = true;
            lock.notifyAll();
            return result;
        }
    }

    interface SpawnAction<T> {
        T spawn() throws SpawnException;

        int pid(T result);
    }

    private void run() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment err = Libc.errnoState(arena);
            MemorySegment info = arena.allocate(Libc.SIGINFO_SIZE);
            while (true) {
                info.fill((byte) 0);
                int rc = (int) Libc.waitid.invokeExact(err, Libc.P_ALL, 0, info, Libc.WEXITED);
                if (rc != 0) {
                    int errno = Libc.errno(err);
                    if (errno == Libc.ECHILD) {
                        awaitChildren();
                    }
                    continue;
                }
                int pid = info.get(ValueLayout.JAVA_INT, 16);
                if (pid == 0) {
                    continue;
                }
                int code = info.get(ValueLayout.JAVA_INT, 8);
                int status = info.get(ValueLayout.JAVA_INT, 24);
                ExitStatus exit = code == Libc.CLD_EXITED
                        ? ExitStatus.exited(status)
                        : ExitStatus.killed(status, code == Libc.CLD_DUMPED);
                CompletableFuture<ExitStatus> future;
                synchronized (lock) {
                    future = waiting.remove(pid);
                }
                if (future != null) {
                    future.complete(exit);
                } else {
                    orphanReaped.accept(pid);
                }
            }
        } catch (Throwable t) {
            // The reaper must not die silently: without it no exit is ever seen.
            t.printStackTrace();
            throw new IllegalStateException("reaper failed", t);
        }
    }

    private void awaitChildren() throws InterruptedException {
        synchronized (lock) {
            while (!spawnedSinceNoChildren) {
                lock.wait();
            }
            spawnedSinceNoChildren = false;
        }
    }
}
