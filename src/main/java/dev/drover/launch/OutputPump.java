package dev.drover.launch;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reads every child's stdout and stderr on one platform thread with epoll, so a thousand children
 * cost one thread, not two thousand, and hands the bytes to each stream's sink.
 *
 * <p>A pipe starts at the kernel's 64 KiB. One found full (a read took all 64 KiB: its writer was
 * about to block) is grown to 1 MiB, so a flooding child writes on while this thread catches up, and
 * reads and wake-ups come sixteen times rarer. Only {@link #MAX_GROWN} pipes are grown at a time:
 * the kernel counts pipe capacity against a per-user limit that the children share, and past it new
 * pipes of that user get one page.
 */
final class OutputPump {
    private static final int PIPE = 64 * 1024;
    static final int GROWN_PIPE = 1024 * 1024;
    static final int MAX_GROWN = 8;
    private static final int F_SETPIPE_SZ = 1031;
    private static final int MAX_EVENTS = 256;

    private final Map<Integer, OutputSink> sinks = new ConcurrentHashMap<>();
    /** The pipes tried for growth (grown or refused); touched by the pump thread only. */
    private final Set<Integer> grown = new HashSet<>();
    /** The read buffers: a pipe's size until the first one grows, then a grown pipe's. */
    private MemorySegment buffer;

    private byte[] heap;
    private final Wakeup wakeup = new Wakeup();
    private final int epollFd = wakeup.epollFd;

    private Thread thread;

    void start() {
        thread = Thread.ofPlatform()
                .name("drover-output")
                .daemon()
                .stackSize(256 * 1024)
                .start(this::run);
    }

    boolean alive() {
        return thread != null && thread.isAlive();
    }

    /** Lets the thread leave its native wait, so the JVM can exit without waiting for it. */
    void stop() {
        wakeup.stop();
    }

    /** Starts reading {@code fd} (ours to close from now on) into {@code sink}. */
    void register(int fd, OutputSink sink) {
        sinks.put(fd, sink);
        try {
            wakeup.add(fd, fd);
        } catch (IllegalStateException e) {
            sinks.remove(fd);
            throw e;
        }
    }

    private void run() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment err = Libc.errnoState(arena);
            MemorySegment events = arena.allocate(Libc.EPOLL_EVENT_SIZE * MAX_EVENTS);
            buffer = arena.allocate(PIPE);
            heap = new byte[PIPE];
            while (!wakeup.stopping()) {
                int n = (int) Libc.epoll_wait.invokeExact(err, epollFd, events, MAX_EVENTS, -1);
                for (int i = 0; i < n; i++) {
                    long data = events.get(ValueLayout.JAVA_LONG_UNALIGNED, i * Libc.EPOLL_EVENT_SIZE + 4);
                    if (data == Wakeup.WAKE) {
                        continue;
                    }
                    int fd = (int) data;
                    OutputSink sink = sinks.get(fd);
                    if (sink != null) {
                        drain(err, fd, sink);
                    }
                }
                if (!grown.isEmpty() && heap.length < GROWN_PIPE) {
                    buffer = arena.allocate(GROWN_PIPE);
                    heap = new byte[GROWN_PIPE];
                }
            }
        } catch (Throwable t) {
            t.printStackTrace();
            throw new IllegalStateException("output pump failed", t);
        }
    }

    /** Reads what is there, a few chunks at most so one flooding child cannot starve the rest. */
    private void drain(MemorySegment err, int fd, OutputSink sink) throws Throwable {
        for (int round = 0; round < 4; round++) {
            long got = (long) Libc.read.invokeExact(err, fd, buffer, (long) heap.length);
            if (got > 0) {
                MemorySegment.copy(buffer, ValueLayout.JAVA_BYTE, 0, heap, 0, (int) got);
                deliver(sink, heap, (int) got);
                if (got >= PIPE) {
                    grow(err, fd);
                }
                if (got < heap.length) {
                    return;
                }
            } else if (got == 0) {
                close(err, fd, sink);
                return;
            } else {
                int errno = Libc.errno(err);
                if (errno == Libc.EINTR) {
                    continue;
                }
                if (errno != Libc.EAGAIN) {
                    close(err, fd, sink);
                }
                return;
            }
        }
    }

    /** Grows a pipe found full, once, while fewer than {@link #MAX_GROWN} are. */
    private void grow(MemorySegment err, int fd) throws Throwable {
        if (grown.size() < MAX_GROWN && grown.add(fd)) {
            // Refused (EPERM: the user's pipe pages are spent) leaves the pipe as it was, and counted.
            int ignored = (int) Libc.fcntl.invokeExact(err, fd, F_SETPIPE_SZ, GROWN_PIPE);
        }
    }

    private static void deliver(OutputSink sink, byte[] heap, int length) {
        try {
            sink.onData(heap, length);
        } catch (RuntimeException e) {
            // A broken sink loses its own output, never the pump.
            e.printStackTrace();
        }
    }

    private void close(MemorySegment err, int fd, OutputSink sink) throws Throwable {
        sinks.remove(fd);
        grown.remove(fd);
        int ignored = (int) Libc.epoll_ctl.invokeExact(err, epollFd, Libc.EPOLL_CTL_DEL, fd, MemorySegment.NULL);
        ignored = (int) Libc.close.invokeExact(err, fd);
        try {
            sink.onClose();
        } catch (RuntimeException e) {
            e.printStackTrace();
        }
    }
}
