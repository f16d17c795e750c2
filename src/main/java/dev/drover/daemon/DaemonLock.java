package dev.drover.daemon;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.StandardOpenOption;

/**
 * The lock that makes a second daemon for the same runtime directory give up. Held with
 * fcntl/flock semantics by the kernel, so a daemon killed with SIGKILL releases it: a stale lock
 * file is never trusted, only a held lock.
 */
public final class DaemonLock implements AutoCloseable {
    private final FileChannel channel;
    private final FileLock lock;

    private DaemonLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** Takes the lock, or returns null when another process holds it. */
    public static DaemonLock tryAcquire(RuntimeDir runtime) throws IOException {
        FileChannel channel = FileChannel.open(runtime.lockFile(), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        try {
            FileLock lock = channel.tryLock();
            if (lock == null) {
                channel.close();
                return null;
            }
            return new DaemonLock(channel, lock);
        } catch (OverlappingFileLockException e) {
            channel.close();
            return null;
        }
    }

    /** Whether some process holds the lock right now (it is taken and released at once if free). */
    public static boolean isHeld(RuntimeDir runtime) throws IOException {
        if (!java.nio.file.Files.exists(runtime.lockFile())) {
            return false;
        }
        DaemonLock probe = tryAcquire(runtime);
        if (probe == null) {
            return true;
        }
        probe.close();
        return false;
    }

    @Override
    public void close() throws IOException {
        lock.release();
        channel.close();
    }
}
