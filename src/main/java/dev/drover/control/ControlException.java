package dev.drover.control;

import java.util.List;

/**
 * A request the daemon refused or could not carry out, with the HTTP status it maps to (404
 * unknown process, 400 invalid input or configuration, 409 wrong moment, 503 not reachable…) and
 * the details (such as every configuration error).
 */
public final class ControlException extends Exception {
    /** The status of a failure to reach the daemon at all (no socket, connection refused). */
    public static final int UNREACHABLE = -1;

    private final int status;
    private final List<String> details;

    public ControlException(int status, String message) {
        this(status, message, List.of());
    }

    public ControlException(int status, String message, List<String> details) {
        super(message);
        this.status = status;
        this.details = List.copyOf(details);
    }

    public int status() {
        return status;
    }

    public List<String> details() {
        return details;
    }
}
