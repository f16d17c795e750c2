package dev.drover.launch;

import java.io.IOException;

/**
 * A system call failed; {@link #errno()} says why, so callers decide on the number, never on the
 * words. The words are looked up only when asked for: most of these (a process gone between a
 * look at /proc and a read of its files) are decided on the number and dropped.
 */
public final class ErrnoException extends IOException {
    private final String what;
    private final int errno;
    private volatile String message;

    public ErrnoException(String what, int errno) {
        this.what = what;
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }

    @Override
    public String getMessage() {
        String words = message;
        if (words == null) {
            words = what + ": " + Libc.strerror(errno);
            message = words;
        }
        return words;
    }
}
