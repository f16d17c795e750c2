package dev.drover.launch;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * An epoll instance with an eventfd in it, so the thread blocked in {@code epoll_wait} can be
 * woken to stop. A thread left blocked in a native call delays the JVM's exit by 300 ms.
 */
final class Wakeup {
    /** The epoll data value that marks the eventfd. */
    static final long WAKE = -1;

    final int epollFd;
    private final int eventFd;
    private volatile boolean stopping;

    Wakeup() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment err = Libc.errnoState(arena);
            epollFd = (int) Libc.epoll_create1.invokeExact(err, Libc.EPOLL_CLOEXEC);
            eventFd = (int) Libc.eventfd.invokeExact(err, 0, Libc.EFD_CLOEXEC | Libc.EFD_NONBLOCK);
            if (epollFd < 0 || eventFd < 0) {
                throw new IllegalStateException("epoll/eventfd: " + Libc.strerror(Libc.errno(err)));
            }
            add(eventFd, WAKE);
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** Watches {@code fd} for input; events for it carry {@code data}. */
    void add(int fd, long data) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment err = Libc.errnoState(arena);
            MemorySegment event = arena.allocate(Libc.EPOLL_EVENT_SIZE);
            event.set(ValueLayout.JAVA_INT, 0, Libc.EPOLLIN);
            event.set(ValueLayout.JAVA_LONG_UNALIGNED, 4, data);
            if ((int) Libc.epoll_ctl.invokeExact(err, epollFd, Libc.EPOLL_CTL_ADD, fd, event) != 0) {
                throw new IllegalStateException("epoll_ctl: " + Libc.strerror(Libc.errno(err)));
            }
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    boolean stopping() {
        return stopping;
    }

    /** Makes the waiting thread return from epoll_wait and see {@link #stopping()}. */
    void stop() {
        stopping = true;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment err = Libc.errnoState(arena);
            MemorySegment one = arena.allocate(ValueLayout.JAVA_LONG);
            one.set(ValueLayout.JAVA_LONG, 0, 1L);
            long ignored = (long) Libc.write.invokeExact(err, eventFd, one, 8L);
        } catch (Throwable t) {
            // the thread will see the flag at its next wake-up
        }
    }
}
