package dev.drover.config;

import java.time.Duration;
import java.util.Objects;

/**
 * A readiness or liveness check and its schedule: run every {@code interval}, each attempt
 * bounded by {@code timeout}; {@code failureThreshold} failures in a row flip it to failing and
 * {@code successThreshold} successes in a row flip it back.
 */
public record ProbeSpec(
        ProbeCheck check,
        Duration interval,
        Duration timeout,
        Duration initialDelay,
        int failureThreshold,
        int successThreshold) {

    public ProbeSpec {
        Objects.requireNonNull(check, "check");
        Objects.requireNonNull(interval, "interval");
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(initialDelay, "initialDelay");
    }
}
