package dev.drover.health;

/** One probe attempt: success or failure, and in words what was seen. */
public record ProbeResult(boolean success, String detail) {
    public static ProbeResult ok(String detail) {
        return new ProbeResult(true, detail);
    }

    public static ProbeResult failed(String detail) {
        return new ProbeResult(false, detail);
    }
}
