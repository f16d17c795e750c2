package dev.drover.launch;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Binds the children's private sd_notify sockets and reads every one of them on one platform
 * thread waiting in epoll, as {@link OutputPump} does for their output. The JDK has no AF_UNIX
 * datagram channel, so the sockets are made and read through libc. The thread starts with the first
 * socket: a daemon without {@code notify: true} processes has none. Should it ever die, the next
 * socket opened starts it again, and it reads the sockets opened before too.
 */
final class NotifyReceiver {
    /** sun_path holds 108 bytes with its NUL (a path) or 107 after the leading NUL (an abstract name). */
    static final int MAX_ADDRESS = 107;

    private static final int MAX_MESSAGE = NotifySocket.MAX_MESSAGE;

    private static final int MAX_EVENTS = 64;

    private final Object lock = new Object();
    /** By descriptor; guarded by {@link #lock}, so a socket is never read after its close. */
    private final Map<Integer, Bound> bound = new HashMap<>();

    private Wakeup wakeup;
    private Thread thread;

    /** Whether the thread runs, or was never needed. */
    boolean alive() {
        synchronized (lock) {
            return thread == null || thread.isAlive();
        }
    }

    void stop() {
        synchronized (lock) {
            if (wakeup != null) {
                wakeup.stop();
            }
        }
    }

    /**
     * Binds a datagram socket at {@code address} (a path, whose stale file is replaced, or
     * {@code @name} in the abstract namespace) and hands what arrives on it to {@code listener}.
     */
    NotifySocket open(String address, NotifySocket.Listener listener) throws IOException {
        byte[] name = address.getBytes(StandardCharsets.UTF_8);
        if (name.length > MAX_ADDRESS || name.length < 2) {
            throw new IOException("notify socket address \"" + address + "\" must be 2 to " + MAX_ADDRESS + " bytes");
        }
        boolean abstractName = name[0] == '@';
        Path file = abstractName ? null : Path.of(address);
        if (file != null) {
            Files.createDirectories(file.getParent());
            Files.deleteIfExists(file);
        }
        int fd;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment err = Libc.errnoState(arena);
            fd = (int) Libc.Notifying.socket.invokeExact(
                    err, Libc.AF_UNIX, Libc.SOCK_DGRAM | Libc.SOCK_CLOEXEC | Libc.SOCK_NONBLOCK, 0);
            if (fd < 0) {
                throw new IOException("socket(AF_UNIX, SOCK_DGRAM): " + Libc.strerror(Libc.errno(err)));
            }
            MemorySegment sockaddr = arena.allocate(2 + MAX_ADDRESS + 1);
            sockaddr.set(ValueLayout.JAVA_SHORT, 0, (short) Libc.AF_UNIX);
            MemorySegment.copy(name, 0, sockaddr, ValueLayout.JAVA_BYTE, 2, name.length);
            int length = 2 + name.length + 1;
            if (abstractName) {
                sockaddr.set(ValueLayout.JAVA_BYTE, 2, (byte) 0); // no trailing NUL: it would be part of the name
                length = 2 + name.length;
            }
            if ((int) Libc.Notifying.bind.invokeExact(err, fd, sockaddr, length) != 0) {
                int errno = Libc.errno(err);
                Libc.closeQuietly(fd);
                throw new IOException("bind " + address + ": " + Libc.strerror(errno));
            }
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
        Bound socket = new Bound(fd, address, file, listener);
        synchronized (lock) {
            if (wakeup != null && wakeup.stopping()) {
                socket.release();
                throw new IOException("cannot watch the notify socket: the daemon is stopping");
            }
            try {
                if (wakeup == null) {
                    wakeup = new Wakeup();
                }
                if (thread == null || !thread.isAlive()) {
                    // The first socket, or the thread died of a bug: the epoll set, with every
                    // socket still open in it, outlives the thread.
                    thread = Thread.ofPlatform()
                            .name("drover-notify")
                            .daemon()
                            .stackSize(256 * 1024)
                            .start(this::run);
                }
                wakeup.add(fd, fd);
                bound.put(fd, socket);
            } catch (RuntimeException e) {
                socket.release();
                throw new IOException("cannot watch the notify socket: " + e.getMessage(), e);
            }
        }
        return socket;
    }

    private void run() {
        Wakeup w;
        synchronized (lock) {
            w = wakeup;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment err = Libc.errnoState(arena);
            MemorySegment events = arena.allocate(Libc.EPOLL_EVENT_SIZE * MAX_EVENTS);
            MemorySegment buffer = arena.allocate(MAX_MESSAGE);
            while (!w.stopping()) {
                int n = (int) Libc.epoll_wait.invokeExact(err, w.epollFd, events, MAX_EVENTS, -1);
                for (int i = 0; i < n; i++) {
                    long data = events.get(ValueLayout.JAVA_LONG_UNALIGNED, i * Libc.EPOLL_EVENT_SIZE + 4);
                    if (data != Wakeup.WAKE) {
                        drain((int) data, err, buffer);
                    }
                }
            }
        } catch (Throwable t) {
            // Ends the thread (alive() says so); the next open() starts another on the same sockets.
            System.err.println("drover-notify thread stopped; it starts again with the next notify socket");
            t.printStackTrace();
        }
    }

    /** Reads every datagram waiting on {@code fd}, unless it was closed meanwhile. */
    private void drain(int fd, MemorySegment err, MemorySegment buffer) throws Throwable {
        while (true) {
            String message = null;
            long length;
            NotifySocket.Listener listener;
            synchronized (lock) {
                Bound socket = bound.get(fd);
                if (socket == null) {
                    return;
                }
                // MSG_TRUNC: the datagram's real length, so that a longer one is seen and dropped, not cut.
                length = (long) Libc.Notifying.recv.invokeExact(
                        err, fd, buffer, (long) MAX_MESSAGE, Libc.MSG_DONTWAIT | Libc.MSG_TRUNC);
                if (length < 0) {
                    if (Libc.errno(err) == Libc.EINTR) {
                        continue;
                    }
                    return; // EAGAIN: all read
                }
                if (length <= MAX_MESSAGE) {
                    byte[] bytes = new byte[(int) length];
                    MemorySegment.copy(buffer, ValueLayout.JAVA_BYTE, 0, bytes, 0, bytes.length);
                    message = new String(bytes, StandardCharsets.UTF_8);
                }
                listener = socket.listener;
            }
            try {
                if (message != null) {
                    listener.received(message);
                } else {
                    listener.oversized(length);
                }
            } catch (RuntimeException e) {
                e.printStackTrace(); // a broken listener loses its own messages, never the thread
            }
        }
    }

    private final class Bound implements NotifySocket {
        private final int fd;
        private final String address;
        private final Path file;
        private final NotifySocket.Listener listener;
        private boolean closed;

        Bound(int fd, String address, Path file, NotifySocket.Listener listener) {
            this.fd = fd;
            this.address = address;
            this.file = file;
            this.listener = listener;
        }

        @Override
        public String address() {
            return address;
        }

        @Override
        public void close() {
            synchronized (lock) {
                if (closed || bound.remove(fd) == null) {
                    return;
                }
                try (Arena arena = Arena.ofConfined()) {
                    int ignored = (int) Libc.epoll_ctl.invokeExact(
                            Libc.errnoState(arena), wakeup.epollFd, Libc.EPOLL_CTL_DEL, fd, MemorySegment.NULL);
                } catch (Throwable t) {
                    // closing the descriptor takes it out of the epoll set anyway
                }
                release();
            }
        }

        /** Closes the descriptor and removes the file; the caller holds the lock or never registered it. */
        private void release() {
            closed = true;
            Libc.closeQuietly(fd);
            if (file != null) {
                try {
                    Files.deleteIfExists(file);
                } catch (IOException e) {
                    // a stale file is replaced by the next bind at this address
                }
            }
        }
    }
}
