package dev.drover.launch;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

/**
 * Sends sd_notify messages (READY=1, STATUS=…, RELOADING=1, STOPPING=1, WATCHDOG=1) to the datagram
 * socket named by $NOTIFY_SOCKET; does nothing when it is not set. An abstract socket name starts
 * with '@'.
 */
public final class SystemdNotifier {
    private static final int SUN_PATH = 108;

    private final String socketPath;

    public SystemdNotifier(String socketPath) {
        this.socketPath = socketPath == null || socketPath.isEmpty() ? null : socketPath;
    }

    public static SystemdNotifier fromEnvironment() {
        return new SystemdNotifier(System.getenv("NOTIFY_SOCKET"));
    }

    public boolean enabled() {
        return socketPath != null;
    }

    /**
     * Links the system calls a message needs (~20 ms on a cold JVM), so that the first one
     * (READY=1) is not held up by it; nothing when disabled.
     */
    public void prepare() {
        if (socketPath == null) {
            return;
        }
        try {
            Libc.Notifying.link();
        } catch (LinkageError e) {
            // send says false then, as it would have without this
        }
    }

    /** Sends one message (lines separated by newlines); false when disabled or it could not be sent. */
    public boolean send(String message) {
        if (socketPath == null) {
            return false;
        }
        byte[] path = socketPath.getBytes(StandardCharsets.UTF_8);
        if (path.length >= SUN_PATH) {
            return false;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment err = Libc.errnoState(arena);
            int fd = (int) Libc.Notifying.socket.invokeExact(err, Libc.AF_UNIX, Libc.SOCK_DGRAM | Libc.O_CLOEXEC, 0);
            if (fd < 0) {
                return false;
            }
            try {
                MemorySegment address = arena.allocate(2 + SUN_PATH);
                address.set(ValueLayout.JAVA_SHORT, 0, (short) Libc.AF_UNIX);
                MemorySegment.copy(path, 0, address, ValueLayout.JAVA_BYTE, 2, path.length);
                int length = 2 + path.length;
                if (path[0] == '@') {
                    address.set(ValueLayout.JAVA_BYTE, 2, (byte) 0); // abstract namespace: no trailing NUL
                } else {
                    length += 1;
                }
                byte[] payload = message.getBytes(StandardCharsets.UTF_8);
                MemorySegment data = arena.allocateFrom(ValueLayout.JAVA_BYTE, payload);
                long sent = (long)
                        Libc.Notifying.sendto.invokeExact(err, fd, data, (long) payload.length, 0, address, length);
                return sent == payload.length;
            } finally {
                int ignored = (int) Libc.close.invokeExact(err, fd);
            }
        } catch (Throwable t) {
            return false;
        }
    }
}
