package dev.drover.logs;

import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * An append-only log file that rotates by size: {@code name.log} moves to {@code name.log.1}, older
 * ones shift up, and only {@code keep} old files remain. Writes are buffered and flushed per batch.
 */
public final class RotatingFile implements AutoCloseable {
    /** The write buffer starts small and grows to this as batches need it. */
    private static final int BUFFER = 256 * 1024;

    private final Path path;
    private final long maxSize;
    private final int keep;
    private byte[] buffer = new byte[1024];
    private int buffered;
    private final Owner owner;
    private FileOutputStream out;
    private long size;

    /** Who a log file belongs to: the user and group a process runs as. */
    public record Owner(int uid, int gid) {}

    public RotatingFile(Path path, long maxSize, int keep) throws IOException {
        this(path, maxSize, keep, null);
    }

    /** @param owner who the file (and each new one after a rotation) is given to, or null to keep Drover's */
    public RotatingFile(Path path, long maxSize, int keep, Owner owner) throws IOException {
        this.path = path;
        this.maxSize = maxSize;
        this.keep = keep;
        this.owner = owner;
        Files.createDirectories(path.toAbsolutePath().getParent());
        open();
    }

    public Path path() {
        return path;
    }

    /** Writes the pieces as one record; a record is never split across two files. */
    public void write(byte[] a, byte[] b, int bOffset, int bLength) throws IOException {
        int length = a.length + bLength + 1;
        if (maxSize > 0 && size + buffered + length > maxSize && size + buffered > 0) {
            rotate();
        }
        if (buffered + length > buffer.length && buffer.length < BUFFER) {
            buffer = java.util.Arrays.copyOf(buffer, Math.min(BUFFER, Math.max(buffer.length * 2, buffered + length)));
        }
        if (buffered + length > buffer.length) {
            flush();
        }
        if (length > BUFFER) {
            out.write(a);
            out.write(b, bOffset, bLength);
            out.write('\n');
            size += length;
            return;
        }
        System.arraycopy(a, 0, buffer, buffered, a.length);
        buffered += a.length;
        System.arraycopy(b, bOffset, buffer, buffered, bLength);
        buffered += bLength;
        buffer[buffered++] = '\n';
    }

    /** Drops what is buffered (after a failed write: it cannot go anywhere). */
    public void discard() {
        buffered = 0;
    }

    /** Opens the file afresh (after a failure: the disk may have room again, or be writable). */
    public void reopen() throws IOException {
        buffered = 0;
        try {
            out.close();
        } catch (IOException e) {
            // the old descriptor failed already; the new one is what counts
        }
        Files.createDirectories(path.toAbsolutePath().getParent());
        open();
    }

    /** Writes what is buffered; true when there was something to write. */
    public boolean flush() throws IOException {
        if (buffered > 0) {
            int pending = buffered;
            buffered = 0; // written or lost: a failed write is not retried from here
            out.write(buffer, 0, pending);
            size += pending;
            return true;
        }
        return false;
    }

    private void rotate() throws IOException {
        flush();
        out.close();
        // Only regular files are rotated: a log pointed at /dev/null or a FIFO is left alone.
        if (Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)) {
            if (keep == 0) {
                Files.delete(path);
            } else {
                Files.deleteIfExists(numbered(keep));
                for (int i = keep - 1; i >= 1; i--) {
                    if (Files.exists(numbered(i))) {
                        Files.move(numbered(i), numbered(i + 1), StandardCopyOption.REPLACE_EXISTING);
                    }
                }
                Files.move(path, numbered(1), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        open();
    }

    private Path numbered(int i) {
        return path.resolveSibling(path.getFileName() + "." + i);
    }

    private void open() throws IOException {
        out = new FileOutputStream(path.toFile(), true);
        boolean regular = Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS);
        size = regular ? Files.size(path) : 0;
        // Only a regular file changes hands: never /dev/null, a FIFO or what a link points to.
        if (owner != null && regular) {
            if ((int) Files.getAttribute(path, "unix:uid", LinkOption.NOFOLLOW_LINKS) != owner.uid()) {
                Files.setAttribute(path, "unix:uid", owner.uid(), LinkOption.NOFOLLOW_LINKS);
            }
            if ((int) Files.getAttribute(path, "unix:gid", LinkOption.NOFOLLOW_LINKS) != owner.gid()) {
                Files.setAttribute(path, "unix:gid", owner.gid(), LinkOption.NOFOLLOW_LINKS);
            }
        }
    }

    @Override
    public void close() throws IOException {
        flush();
        out.close();
    }
}
