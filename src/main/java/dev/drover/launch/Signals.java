package dev.drover.launch;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Map;

/** Sends signals to processes that are named by PID and start time, never by PID alone. */
public final class Signals {
    public static final int SIGHUP = 1;
    public static final int SIGINT = 2;
    public static final int SIGKILL = 9;
    public static final int SIGTERM = 15;
    public static final int SIGCONT = 18;

    private static final Map<Integer, String> NAMES = Map.ofEntries(
            Map.entry(1, "SIGHUP"),
            Map.entry(2, "SIGINT"),
            Map.entry(3, "SIGQUIT"),
            Map.entry(4, "SIGILL"),
            Map.entry(6, "SIGABRT"),
            Map.entry(7, "SIGBUS"),
            Map.entry(8, "SIGFPE"),
            Map.entry(9, "SIGKILL"),
            Map.entry(10, "SIGUSR1"),
            Map.entry(11, "SIGSEGV"),
            Map.entry(12, "SIGUSR2"),
            Map.entry(13, "SIGPIPE"),
            Map.entry(14, "SIGALRM"),
            Map.entry(15, "SIGTERM"),
            Map.entry(17, "SIGCHLD"),
            Map.entry(18, "SIGCONT"),
            Map.entry(19, "SIGSTOP"),
            Map.entry(20, "SIGTSTP"),
            Map.entry(28, "SIGWINCH"));

    private Signals() {}

    public static String name(int signal) {
        return NAMES.getOrDefault(signal, "signal " + signal);
    }

    /**
     * Signals the process only if the PID still has the recorded start time. Uses a pidfd, so the
     * check and the signal refer to the same process even if the PID is recycled in between.
     *
     * @return true if the signal was delivered; false when the process is gone (or the PID names
     *     another process now)
     * @throws Descriptors.ExhaustedException when no descriptor could be had for the pidfd, even from
     *     the reserve: whether the process lives is then unknown
     */
    public static boolean send(ProcessRef ref, int signal) {
        try {
            return Descriptors.withReserve(() -> sendOnPidfd(ref, signal));
        } catch (IOException e) {
            throw new Descriptors.ExhaustedException("cannot signal " + ref.pid(), e);
        }
    }

    private static boolean sendOnPidfd(ProcessRef ref, int signal) throws IOException {
        int pidfd;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment err = Libc.errnoState(arena);
            pidfd = (int) Libc.pidfd_open.invokeExact(err, ref.pid(), 0);
            if (pidfd < 0 && Descriptors.exhausted(Libc.errno(err))) {
                throw Descriptors.exhaustion(Libc.errno(err));
            }
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("signal " + ref, t);
        }
        if (pidfd < 0) {
            return false;
        }
        try {
            ProcStat stat = ProcStat.readOrFail(ref.pid());
            if (stat == null || stat.startTime() != ref.startTime()) {
                return false;
            }
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment err = Libc.errnoState(arena);
                return (int) Libc.Signalling.pidfd_send_signal.invokeExact(err, pidfd, signal, MemorySegment.NULL, 0)
                        == 0;
            }
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("signal " + ref, t);
        } finally {
            Libc.closeQuietly(pidfd);
        }
    }

    /**
     * Signals a process group whose leader is {@code leader}. Safe while the leader is our
     * unreaped child or any member of its group lives: the kernel does not hand out a PID that is
     * still in use as a process group id.
     */
    static boolean sendGroup(int leader, int signal) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment err = Libc.errnoState(arena);
            return (int) Libc.Signalling.kill.invokeExact(err, -leader, signal) == 0;
        } catch (Throwable t) {
            throw new IllegalStateException("signal group " + leader, t);
        }
    }
}
