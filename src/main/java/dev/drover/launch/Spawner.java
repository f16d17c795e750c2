package dev.drover.launch;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Starts a child with posix_spawnp in a session of its own, its stdin on /dev/null and its stdout
 * and stderr on pipes; no descriptor of ours leaks into it and every signal starts at its default.
 */
final class Spawner {
    /** The result of a spawn: the PID and our (non-blocking, close-on-exec) read ends of its pipes. */
    record Spawned(int pid, int stdoutFd, int stderrFd) {}

    private Spawner() {}

    static Spawned spawn(List<String> argv, Map<String, String> env, Path cwd) throws SpawnException {
        if (argv.isEmpty()) {
            throw new SpawnException("empty command");
        }
        if (cwd != null && !Files.isDirectory(cwd)) {
            throw new SpawnException("working directory " + cwd + " does not exist");
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment err = Libc.errnoState(arena);
            MemorySegment out = pipe(arena, err);
            MemorySegment errPipe;
            try {
                errPipe = pipe(arena, err);
            } catch (SpawnException e) {
                closeQuietly(err, out.get(ValueLayout.JAVA_INT, 0), out.get(ValueLayout.JAVA_INT, 4));
                throw e;
            }
            int outR = out.get(ValueLayout.JAVA_INT, 0), outW = out.get(ValueLayout.JAVA_INT, 4);
            int errR = errPipe.get(ValueLayout.JAVA_INT, 0), errW = errPipe.get(ValueLayout.JAVA_INT, 4);

            int pid;
            try {
                pid = launch(arena, err, argv, env, cwd, (actions, a) -> {
                    int ignored = (int) Libc.fa_adddup2.invokeExact(actions, outW, 1);
                    ignored = (int) Libc.fa_adddup2.invokeExact(actions, errW, 2);
                });
            } catch (SpawnException e) {
                closeQuietly(err, outR, errR);
                throw e;
            } finally {
                closeQuietly(err, outW, errW);
            }
            nonBlocking(err, outR);
            nonBlocking(err, errR);
            return new Spawned(pid, outR, errR);
        } catch (SpawnException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("posix_spawnp failed", t);
        }
    }

    /**
     * Starts a process that outlives us: its own session, stdin on /dev/null, stdout and stderr
     * appended to {@code log}. Nobody waits for it here; it is reparented when we exit.
     */
    static int spawnDetached(List<String> argv, Map<String, String> env, Path cwd, Path log) throws SpawnException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment err = Libc.errnoState(arena);
            MemorySegment logPath = arena.allocateFrom(log.toString());
            return launch(arena, err, argv, env, cwd, (actions, a) -> {
                int ignored = (int) Libc.fa_addopen.invokeExact(
                        actions, 1, logPath, Libc.O_WRONLY | Libc.O_CREAT | Libc.O_APPEND, 0600);
                ignored = (int) Libc.fa_adddup2.invokeExact(actions, 1, 2);
            });
        } catch (SpawnException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("posix_spawnp failed", t);
        }
    }

    /** Adds the file actions that set up the child's stdout and stderr. */
    private interface Stdio {
        void add(MemorySegment actions, Arena arena) throws Throwable;
    }

    /**
     * posix_spawnp in a new session: stdin on /dev/null, stdout and stderr as {@code stdio} says,
     * every other descriptor closed, no signal blocked or ignored. Returns the PID.
     */
    private static int launch(
            Arena arena, MemorySegment err, List<String> argv, Map<String, String> env, Path cwd, Stdio stdio)
            throws Throwable {
        MemorySegment actions = arena.allocate(Libc.SPAWN_STRUCT_SIZE, 16);
        MemorySegment attr = arena.allocate(Libc.SPAWN_STRUCT_SIZE, 16);
        int ignored = (int) Libc.fa_init.invokeExact(actions);
        ignored = (int) Libc.attr_init.invokeExact(attr);
        try {
            ignored = (int) Libc.fa_addopen.invokeExact(actions, 0, arena.allocateFrom("/dev/null"), Libc.O_RDONLY, 0);
            stdio.add(actions, arena);
            ignored = (int) Libc.fa_addclosefrom.invokeExact(actions, 3);
            if (cwd != null) {
                ignored = (int) Libc.fa_addchdir.invokeExact(actions, arena.allocateFrom(cwd.toString()));
            }
            MemorySegment noSignals = arena.allocate(Libc.SIGSET_SIZE);
            ignored = (int) Libc.sigemptyset.invokeExact(noSignals);
            MemorySegment allSignals = arena.allocate(Libc.SIGSET_SIZE);
            ignored = (int) Libc.sigfillset.invokeExact(allSignals);
            ignored = (int) Libc.attr_setsigmask.invokeExact(attr, noSignals);
            ignored = (int) Libc.attr_setsigdefault.invokeExact(attr, allSignals);
            ignored = (int) Libc.attr_setflags.invokeExact(
                    attr, (short) (Libc.POSIX_SPAWN_SETSID | Libc.POSIX_SPAWN_SETSIGMASK | Libc.POSIX_SPAWN_SETSIGDEF));
            MemorySegment pid = arena.allocate(ValueLayout.JAVA_INT);
            int rc = (int) Libc.posix_spawnp.invokeExact(
                    err,
                    pid,
                    arena.allocateFrom(argv.getFirst()),
                    actions,
                    attr,
                    strings(arena, argv),
                    environment(arena, env));
            if (rc != 0) {
                throw new SpawnException(describe(argv.getFirst(), rc), rc);
            }
            return pid.get(ValueLayout.JAVA_INT, 0);
        } finally {
            ignored = (int) Libc.fa_destroy.invokeExact(actions);
            ignored = (int) Libc.attr_destroy.invokeExact(attr);
        }
    }

    private static String describe(String command, int errno) {
        return switch (errno) {
            case 2 -> "command not found: " + command;
            case 13 -> "permission denied: " + command;
            case 8 -> "not an executable: " + command;
            default -> "cannot start " + command + ": " + Libc.strerror(errno);
        };
    }

    private static MemorySegment pipe(Arena arena, MemorySegment err) throws Throwable {
        MemorySegment fds = arena.allocate(ValueLayout.JAVA_INT, 2);
        if ((int) Libc.pipe2.invokeExact(err, fds, Libc.O_CLOEXEC) != 0) {
            int errno = Libc.errno(err);
            throw new SpawnException("cannot create a pipe: " + Libc.strerror(errno), errno);
        }
        return fds;
    }

    private static void nonBlocking(MemorySegment err, int fd) throws Throwable {
        int flags = (int) Libc.fcntl.invokeExact(err, fd, Libc.F_GETFL, 0);
        int ignored = (int) Libc.fcntl.invokeExact(err, fd, Libc.F_SETFL, flags | Libc.O_NONBLOCK);
    }

    static void closeQuietly(MemorySegment err, int... fds) throws Throwable {
        for (int fd : fds) {
            int ignored = (int) Libc.close.invokeExact(err, fd);
        }
    }

    private static MemorySegment strings(Arena arena, List<String> values) {
        MemorySegment array = arena.allocate(ValueLayout.ADDRESS, values.size() + 1);
        for (int i = 0; i < values.size(); i++) {
            array.setAtIndex(ValueLayout.ADDRESS, i, arena.allocateFrom(values.get(i)));
        }
        array.setAtIndex(ValueLayout.ADDRESS, values.size(), MemorySegment.NULL);
        return array;
    }

    private static MemorySegment environment(Arena arena, Map<String, String> env) {
        return strings(
                arena,
                env.entrySet().stream()
                        .map(e -> e.getKey() + "=" + e.getValue())
                        .toList());
    }
}
