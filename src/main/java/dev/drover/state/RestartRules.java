package dev.drover.state;

import java.time.Duration;

/** The parts of a process's definition that decide how it is restarted. */
public record RestartRules(
        Policy policy,
        int maxRestarts,
        Duration window,
        Duration initialBackoff,
        Duration maxBackoff,
        double multiplier,
        Duration resetAfter,
        boolean hasReadinessProbe) {

    /** When a process that exited is started again. */
    public enum Policy {
        ALWAYS,
        ON_FAILURE,
        NO
    }

    /** The wait before restart number {@code attempt} (0-based), before jitter. */
    public Duration backoff(int attempt) {
        double millis = initialBackoff.toMillis() * Math.pow(multiplier, attempt);
        return Duration.ofMillis((long) Math.min(millis, maxBackoff.toMillis()));
    }
}
