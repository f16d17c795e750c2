package dev.drover.launch;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Reads and writes the small files of /proc and cgroupfs with open(2), read(2) and write(2), so
 * that a failure carries its errno: "no such process" and "no descriptor to spare" must never be
 * confused, and the JDK's exceptions say which only in words.
 */
final class KernelFiles {
    private static final int CHUNK = 4096;

    private KernelFiles() {}

    /** The whole file. */
    static byte[] read(Path file) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment err = Libc.errnoState(arena);
            int fd = (int)
                    Libc.open.invokeExact(err, arena.allocateFrom(file.toString()), Libc.O_RDONLY | Libc.O_CLOEXEC, 0);
            if (fd < 0) {
                throw new ErrnoException("cannot open " + file, Libc.errno(err));
            }
            try {
                MemorySegment buffer = arena.allocate(CHUNK);
                byte[] content = new byte[CHUNK];
                int length = 0;
                while (true) {
                    long n = (long) Libc.read.invokeExact(err, fd, buffer, (long) CHUNK);
                    if (n < 0) {
                        int errno = Libc.errno(err);
                        if (errno == Libc.EINTR) {
                            continue;
                        }
                        throw new ErrnoException("cannot read " + file, errno);
                    }
                    if (n == 0) {
                        return Arrays.copyOf(content, length);
                    }
                    if (length + n > content.length) {
                        content = Arrays.copyOf(content, Math.max(content.length * 2, length + (int) n));
                    }
                    MemorySegment.copy(buffer, ValueLayout.JAVA_BYTE, 0, content, length, (int) n);
                    length += (int) n;
                }
            } finally {
                int ignored = (int) Libc.close.invokeExact(err, fd);
            }
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw new LinkageError("read " + file, t);
        }
    }

    /** Writes {@code text} in one write(2), as cgroupfs wants its control files written. */
    static void write(Path file, String text) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment err = Libc.errnoState(arena);
            int fd = (int)
                    Libc.open.invokeExact(err, arena.allocateFrom(file.toString()), Libc.O_WRONLY | Libc.O_CLOEXEC, 0);
            if (fd < 0) {
                throw new ErrnoException("cannot open " + file, Libc.errno(err));
            }
            try {
                byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
                MemorySegment data = arena.allocateFrom(ValueLayout.JAVA_BYTE, bytes);
                long n = (long) Libc.write.invokeExact(err, fd, data, (long) bytes.length);
                if (n < 0) {
                    throw new ErrnoException("cannot write " + file, Libc.errno(err));
                }
            } finally {
                int ignored = (int) Libc.close.invokeExact(err, fd);
            }
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw new LinkageError("write " + file, t);
        }
    }
}
