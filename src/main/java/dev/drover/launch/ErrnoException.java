package dev.drover.launch;

import java.io.IOException;

/** A system call failed; {@link #errno()} says why, so callers decide on the number, never on the words. */
public final class ErrnoException extends IOException {
    private final int errno;

    ErrnoException(String what, int errno) {
        super(what + ": " + Libc.strerror(errno));
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }
}
