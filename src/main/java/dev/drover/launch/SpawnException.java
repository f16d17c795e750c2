package dev.drover.launch;

/** A child could not be started: the command, its directory or its permissions are wrong. */
public final class SpawnException extends Exception {
    public SpawnException(String message) {
        super(message);
    }
}
