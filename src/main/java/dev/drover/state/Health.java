package dev.drover.state;

/** Whether a process may receive traffic and release its dependents; separate from whether it runs. */
public enum Health {
    UNKNOWN,
    READY,
    NOT_READY;

    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
