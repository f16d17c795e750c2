package dev.drover.interop;

/** A source file that cannot be imported, or an output that cannot be written; the message says why. */
public final class ImportException extends Exception {
    public ImportException(String message) {
        super(message);
    }

    public ImportException(String message, Throwable cause) {
        super(message, cause);
    }
}
