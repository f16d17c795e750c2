package dev.drover.interop;

/** A file that cannot be imported, or a configuration that cannot be exported as asked; the message says why. */
public final class InteropException extends Exception {
    public InteropException(String message) {
        super(message);
    }

    public InteropException(String message, Throwable cause) {
        super(message, cause);
    }
}
