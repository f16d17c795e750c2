package dev.drover.launch;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reads every child's stdout and stderr on one platform thread with epoll, so a thousand children
 * cost one thread, not two thousand, and hands the bytes to each stream's sink.
 */
final class OutputPump {
    private static final int CHUNK = 64 * 1024;
    private static final int MAX_EVENTS = 256;

    private final Map<Integer, OutputSink> sinks = new ConcurrentHashMap<>();
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
            MemorySegment native_ = arena.allocate(CHUNK);
            byte[] heap = new byte[CHUNK];
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
                        drain(err, fd, sink, native_, heap);
                    }
                }
            }
        } catch (Throwable t) {
            t.printStackTrace();
            throw new IllegalStateException("output pump failed", t);
        }
    }

    /** Reads what is there, a few chunks at most so one flooding child cannot starve the rest. */
    private void drain(MemorySegment err, int fd, OutputSink sink, MemorySegment buffer, byte[] heap) throws Throwable {
        for (int round = 0; round < 4; round++) {
            long got = (long) Libc.read.invokeExact(err, fd, buffer, (long) CHUNK);
            if (got > 0) {
                MemorySegment.copy(buffer, ValueLayout.JAVA_BYTE, 0, heap, 0, (int) got);
                deliver(sink, heap, (int) got);
                if (got < CHUNK) {
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
        int ignored = (int) Libc.epoll_ctl.invokeExact(err, epollFd, Libc.EPOLL_CTL_DEL, fd, MemorySegment.NULL);
        ignored = (int) Libc.close.invokeExact(err, fd);
        try {
            sink.onClose();
        } catch (RuntimeException e) {
            e.printStackTrace();
        }
    }
}
