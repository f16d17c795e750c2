package dev.drover.launch;

/**
 * A child could not be started: the command, its directory or its permissions are wrong, or
 * (when {@link #temporary()}) the system is short of descriptors, memory or processes for now.
 */
public final class SpawnException extends Exception {
    private final boolean temporary;

    public SpawnException(String message) {
        this(message, false);
    }

    public SpawnException(String message, boolean temporary) {
        super(message);
        this.temporary = temporary;
    }

    /** Worth retrying later: EMFILE, ENFILE, EAGAIN, ENOMEM. */
    public boolean temporary() {
        return temporary;
    }

    static boolean temporary(int errno) {
        return errno == 24 || errno == 23 || errno == 11 || errno == 12;
    }
}
