package dev.drover.launch;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.TreeSet;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A reserve of descriptors, held open on /dev/null, for the moment the descriptor table is full.
 * Stopping a process needs descriptors (a pidfd to signal it safely, /proc and cgroup files to find
 * what it started); when they are short, the operation is run once more with the reserve freed for
 * it, one operation at a time, and the reserve is taken back afterwards. Without this, a daemon at
 * its descriptor limit could not stop what its services started.
 *
 * <p>The limit is on descriptor numbers ({@code RLIMIT_NOFILE} is one more than the highest number
 * that may be opened), so the reserve holds the lowest numbers it can: each {@link #fill()} moves it
 * down into numbers freed since. A limit lowered under a running daemon (prlimit) then still leaves
 * the reserve usable.
 */
public final class Descriptors {
    /** Enough for the deepest user: a /proc scan holds its directory and one stat file, a signal a pidfd and a stat file. */
    static final int RESERVE = 8;

    static final int ENFILE = 23;
    static final int EMFILE = 24;
    private static final MemorySegment DEV_NULL = Arena.global().allocateFrom("/dev/null");
    private static final ReentrantLock LOCK = new ReentrantLock();
    private static final TreeSet<Integer> held = new TreeSet<>();

    private Descriptors() {}

    /** An operation that opens descriptors. */
    @FunctionalInterface
    public interface Action<T> {
        T run() throws IOException;
    }

    /** Thrown when even the reserve could not make room: the operation could not be done, which does not mean its answer is "none". */
    public static final class ExhaustedException extends UncheckedIOException {
        public ExhaustedException(String what, IOException cause) {
            super(what + ": " + reason(cause), cause);
        }

        private static String reason(IOException cause) {
            if (cause instanceof ErrnoException failed) {
                return Libc.strerror(failed.errno());
            }
            return cause instanceof FileSystemException f && f.getReason() != null ? f.getReason() : cause.getMessage();
        }
    }

    /**
     * One descriptor held for a single user apart from the shared reserve: an API listener, which
     * meets a full table on every attempt to accept and must not free the reserve stops need.
     */
    public static final class Spare {
        private int fd = openDevNull();

        /** Runs {@code action} with this spare closed for it, then takes it back; without a spare, fails as exhausted. */
        public synchronized <T> T use(Action<T> action) throws IOException {
            if (fd < 0) {
                fd = openDevNull();
                if (fd < 0) {
                    throw exhaustion(EMFILE);
                }
            }
            Libc.closeQuietly(fd);
            fd = -1;
            try {
                return action.run();
            } finally {
                fd = openDevNull();
            }
        }
    }

    /** Opens the reserve, or tops it up and moves it to lower numbers freed since. */
    public static void fill() {
        LOCK.lock();
        try {
            refill();
            while (held.size() == RESERVE) {
                int fd = openDevNull();
                if (fd < 0) {
                    return;
                }
                if (fd > held.last()) {
                    Libc.closeQuietly(fd);
                    return;
                }
                Libc.closeQuietly(held.pollLast());
                held.add(fd);
            }
        } finally {
            LOCK.unlock();
        }
    }

    /**
     * How many more descriptors this process may open now: its soft {@code RLIMIT_NOFILE} less the
     * descriptors it has open (from /proc/self/limits and /proc/self/fd); 0 when either cannot be read.
     */
    public static long room() {
        try {
            long limit = -1;
            for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
                if (line.startsWith("Max open files")) {
                    String soft =
                            line.substring("Max open files".length()).trim().split("\\s+")[0];
                    limit = soft.equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(soft);
                }
            }
            long open;
            try (var fds = Files.list(Path.of("/proc/self/fd"))) {
                open = fds.count();
            }
            return limit < 0 ? 0 : Math.max(0, limit - open);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /** True when the reserve holds fewer than it should (a moment of exhaustion took some). */
    public static boolean depleted() {
        return held() < RESERVE;
    }

    /** How many descriptors the reserve holds now. */
    static int held() {
        LOCK.lock();
        try {
            return held.size();
        } finally {
            LOCK.unlock();
        }
    }

    /**
     * Runs {@code action}; if it fails because the descriptor table is full, runs it again with the
     * reserve freed, then takes the reserve back. Other failures pass through unchanged.
     */
    public static <T> T withReserve(Action<T> action) throws IOException {
        if (!LOCK.isHeldByCurrentThread()) {
            try {
                return action.run();
            } catch (IOException e) {
                if (!exhausted(e)) {
                    throw e;
                }
            }
        }
        LOCK.lock();
        try {
            release();
            return action.run();
        } finally {
            try {
                if (LOCK.getHoldCount() == 1) {
                    refill();
                }
            } finally {
                LOCK.unlock();
            }
        }
    }

    /**
     * Reads a whole file, on the reserve when the table is full.
     *
     * @return its bytes, or null when it cannot be read for another reason (gone, not ours)
     * @throws ExhaustedException when no descriptor could be had even from the reserve
     */
    static byte[] readOrNull(Path file) {
        try {
            return withReserve(() -> KernelFiles.read(file));
        } catch (IOException e) {
            if (exhausted(e)) {
                throw new ExhaustedException("cannot read " + file, e);
            }
            return null;
        }
    }

    /**
     * True for EMFILE (this process's table is full) and ENFILE (the system's is). Decided on the
     * errno where the failure carries one ({@link ErrnoException}); for the JDK's own I/O, which
     * says why only in words, by looking at the table itself: whether a descriptor can be opened.
     */
    public static boolean exhausted(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ErrnoException failed) {
                return exhausted(failed.errno());
            }
        }
        return e instanceof IOException && tableFull();
    }

    /** Whether opening one more descriptor fails for lack of room right now. */
    static boolean tableFull() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment err = Libc.errnoState(arena);
            int fd = (int) Libc.open.invokeExact(err, DEV_NULL, Libc.O_RDONLY | Libc.O_CLOEXEC, 0);
            if (fd >= 0) {
                Libc.closeQuietly(fd);
                return false;
            }
            return exhausted(Libc.errno(err));
        } catch (Throwable t) {
            throw new LinkageError("open /dev/null", t);
        }
    }

    static boolean exhausted(int errno) {
        return errno == EMFILE || errno == ENFILE;
    }

    /** An IOException that {@link #exhausted(Throwable)} recognises, for a failed native call. */
    static IOException exhaustion(int errno) {
        return new ErrnoException("no descriptor to spare", errno);
    }

    private static void release() {
        held.forEach(Libc::closeQuietly);
        held.clear();
    }

    private static void refill() {
        while (held.size() < RESERVE) {
            int fd = openDevNull();
            if (fd < 0) {
                return; // short of descriptors now: topped up by the next fill
            }
            held.add(fd);
        }
    }

    private static int openDevNull() {
        try (Arena arena = Arena.ofConfined()) {
            return (int) Libc.open.invokeExact(Libc.errnoState(arena), DEV_NULL, Libc.O_RDONLY | Libc.O_CLOEXEC, 0);
        } catch (Throwable t) {
            throw new IllegalStateException("open /dev/null", t);
        }
    }
}
