package dev.drover.state;

import java.time.Duration;

/**
 * The parts of a process's definition that decide its lifecycle.
 *
 * @param maxRestarts automatic restarts allowed within {@code window}, and failed starts in a row
 *     (runs that ended before the process became ready); 0 = no limit
 * @param minUptime how long a child without a readiness probe must stay up to count as ready
 * @param startPeriod how long after the spawn liveness counts even if the child is not ready yet;
 *     null: only from its first ready
 * @param drains whether a stop first drains the child (it receives routed traffic)
 * @param readyByNotify the child says itself when it is ready (sd_notify READY=1, which arrives as
 *     {@link Event.ReadinessChanged}): neither a probe nor {@code minUptime} decides it
 */
public record RestartRules(
        Policy policy,
        int maxRestarts,
        Duration window,
        Duration initialBackoff,
        Duration maxBackoff,
        double multiplier,
        Duration resetAfter,
        boolean hasReadinessProbe,
        Duration minUptime,
        Duration startPeriod,
        boolean drains,
        boolean readyByNotify) {

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
