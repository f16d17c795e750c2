package dev.drover.launch;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The libc calls Drover needs, bound once through the Foreign Function and Memory API. Every call
 * that can fail captures errno; callers read it with {@link #errno(MemorySegment)}.
 */
final class Libc {
    static final int EINTR = 4;
    static final int EAGAIN = 11;
    static final int ECHILD = 10;

    static final int O_RDONLY = 0;
    static final int O_NONBLOCK = 0x800;
    static final int O_CLOEXEC = 0x80000;
    static final int O_WRONLY = 1;
    static final int O_CREAT = 0x40;
    static final int O_APPEND = 0x400;
    static final int AF_UNIX = 1;
    static final int SOCK_DGRAM = 2;
    static final int SOCK_NONBLOCK = 0x800;
    static final int SOCK_CLOEXEC = 0x80000;
    static final int MSG_DONTWAIT = 0x40;
    /** recv returns a datagram's real length even when it was longer than the buffer. */
    static final int MSG_TRUNC = 0x20;

    static final int F_GETFL = 3;
    static final int F_SETFL = 4;

    static final int P_ALL = 0;
    static final int WEXITED = 4;
    static final int WNOHANG = 1;
    static final int WNOWAIT = 0x01000000;
    static final int CLD_EXITED = 1;
    static final int CLD_DUMPED = 3;
    static final long SIGINFO_SIZE = 128;

    static final int POSIX_SPAWN_SETSIGDEF = 0x04;
    static final int POSIX_SPAWN_SETSIGMASK = 0x08;
    static final int POSIX_SPAWN_SETSID = 0x80;
    /** glibc's posix_spawn_file_actions_t and posix_spawnattr_t are 80 and 336 bytes; keep room. */
    static final long SPAWN_STRUCT_SIZE = 512;

    static final long SIGSET_SIZE = 128;

    static final int EPOLL_CLOEXEC = 0x80000;
    static final int EPOLL_CTL_ADD = 1;
    static final int EPOLL_CTL_DEL = 2;
    static final int EPOLLIN = 0x001;
    /** struct epoll_event is packed on x86_64: uint32 events, then a 64-bit data word. */
    static final long EPOLL_EVENT_SIZE = 12;

    static final int PR_SET_CHILD_SUBREAPER = 36;
    static final int EFD_CLOEXEC = 0x80000;
    static final int EFD_NONBLOCK = 0x800;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final MemoryLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE_LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE = Linker.Option.captureCallState("errno");

    static final MethodHandle posix_spawnp =
            errnoCall("posix_spawnp", JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS);
    static final MethodHandle fa_init = plain("posix_spawn_file_actions_init", JAVA_INT, ADDRESS);
    static final MethodHandle fa_destroy = plain("posix_spawn_file_actions_destroy", JAVA_INT, ADDRESS);
    static final MethodHandle fa_adddup2 =
            plain("posix_spawn_file_actions_adddup2", JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT);
    static final MethodHandle fa_addopen =
            plain("posix_spawn_file_actions_addopen", JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT);
    static final MethodHandle fa_addchdir = plain("posix_spawn_file_actions_addchdir_np", JAVA_INT, ADDRESS, ADDRESS);
    static final MethodHandle fa_addclosefrom =
            plain("posix_spawn_file_actions_addclosefrom_np", JAVA_INT, ADDRESS, JAVA_INT);
    static final MethodHandle attr_init = plain("posix_spawnattr_init", JAVA_INT, ADDRESS);
    static final MethodHandle attr_destroy = plain("posix_spawnattr_destroy", JAVA_INT, ADDRESS);
    static final MethodHandle attr_setflags =
            plain("posix_spawnattr_setflags", JAVA_INT, ADDRESS, ValueLayout.JAVA_SHORT);
    static final MethodHandle attr_setsigmask = plain("posix_spawnattr_setsigmask", JAVA_INT, ADDRESS, ADDRESS);
    static final MethodHandle attr_setsigdefault = plain("posix_spawnattr_setsigdefault", JAVA_INT, ADDRESS, ADDRESS);
    static final MethodHandle sigemptyset = plain("sigemptyset", JAVA_INT, ADDRESS);
    static final MethodHandle sigfillset = plain("sigfillset", JAVA_INT, ADDRESS);

    static final MethodHandle pipe2 = errnoCall("pipe2", JAVA_INT, ADDRESS, JAVA_INT);
    static final MethodHandle fcntl = errnoCall("fcntl", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT);
    static final MethodHandle close = errnoCall("close", JAVA_INT, JAVA_INT);
    static final MethodHandle read = errnoCall("read", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG);
    static final MethodHandle pidfd_open = errnoCall("pidfd_open", JAVA_INT, JAVA_INT, JAVA_INT);
    static final MethodHandle epoll_create1 = errnoCall("epoll_create1", JAVA_INT, JAVA_INT);
    static final MethodHandle epoll_ctl = errnoCall("epoll_ctl", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS);
    static final MethodHandle epoll_wait = errnoCall("epoll_wait", JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT);
    static final MethodHandle eventfd = errnoCall("eventfd", JAVA_INT, JAVA_INT, JAVA_INT);
    static final MethodHandle write = errnoCall("write", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG);
    static final MethodHandle open = errnoCall("open", JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT);
    static final MethodHandle prctl = LINKER.downcallHandle(
            LIBC.find("prctl").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG),
            Linker.Option.firstVariadicArg(1));

    private Libc() {}

    // Each new shape of call costs ~6 ms to link when the JVM is cold (a stub class is generated for
    // it), and start-up runs before the JIT is warm: the calls the first spawn does not need are
    // linked on first use, by holder classes (a class is initialised when first touched).

    /** Signals to processes: needed once something is stopped. */
    static final class Signalling {
        static final MethodHandle kill = errnoCall("kill", JAVA_INT, JAVA_INT, JAVA_INT);
        static final MethodHandle pidfd_send_signal =
                errnoCall("pidfd_send_signal", JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT);

        private Signalling() {}
    }

    /** Collecting exit statuses: needed once a child or an orphan exits. */
    static final class Reaping {
        static final MethodHandle waitid = errnoCall("waitid", JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT);

        private Reaping() {}
    }

    /** Datagram sockets: the notify socket of a process with {@code notify}, and systemd's. */
    static final class Notifying {
        static final MethodHandle socket = errnoCall("socket", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT);
        static final MethodHandle sendto =
                errnoCall("sendto", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT);
        static final MethodHandle bind = errnoCall("bind", JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT);
        static final MethodHandle recv = errnoCall("recv", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT);

        private Notifying() {}

        /** Links these calls now (the class's initialisation), ahead of their first use. */
        static void link() {}
    }

    /** The words for an errno: needed only when something failed. */
    private static final class Words {
        static final MethodHandle strerror = plain("strerror", ADDRESS, JAVA_INT);

        private Words() {}
    }

    /** A segment to pass as the first argument of an errno-capturing call. */
    static MemorySegment errnoState(Arena arena) {
        return arena.allocate(CAPTURE_LAYOUT);
    }

    static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }

    static String strerror(int errno) {
        try {
            MemorySegment s = (MemorySegment) Words.strerror.invokeExact(errno);
            return s.reinterpret(256).getString(0);
        } catch (Throwable t) {
            return "errno " + errno;
        }
    }

    /** Closes a descriptor this code opened; a failure leaves nothing to do. */
    static void closeQuietly(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            int ignored = (int) close.invokeExact(errnoState(arena), fd);
        } catch (Throwable t) {
            throw new LinkageError("close", t);
        }
    }

    private static MethodHandle plain(String name, ValueLayout result, MemoryLayout... args) {
        return LINKER.downcallHandle(LIBC.find(name).orElseThrow(), FunctionDescriptor.of(result, args));
    }

    private static MethodHandle errnoCall(String name, ValueLayout result, MemoryLayout... args) {
        return LINKER.downcallHandle(LIBC.find(name).orElseThrow(), FunctionDescriptor.of(result, args), CAPTURE);
    }
}
