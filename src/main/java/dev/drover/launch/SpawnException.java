package dev.drover.launch;

/**
 * A child could not be started: the command, its directory or its permissions are wrong, or
 * (when {@link #temporary()}) the system is short of descriptors, memory or processes for now.
 * {@link #errno()} is the OS's reason when it gave one, else 0.
 */
public final class SpawnException extends Exception {
    private static final int EAGAIN = 11;
    private static final int ENOMEM = 12;

    private final int errno;

    public SpawnException(String message) {
        this(message, 0);
    }

    public SpawnException(String message, int errno) {
        super(message);
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }

    /** Worth retrying later: EMFILE, ENFILE, EAGAIN, ENOMEM. */
    public boolean temporary() {
        return Descriptors.exhausted(errno) || errno == EAGAIN || errno == ENOMEM;
    }
}
