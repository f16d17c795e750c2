package dev.drover.config;

import java.time.Duration;
import java.util.Objects;

/**
 * How a process that routes send traffic to is taken in and out of rotation.
 *
 * @param drainTimeout how long requests in flight may take to finish before the stop signal
 * @param maxSurge replacements started beside the old instances during a rollout
 * @param maxUnavailable instances that may be out of rotation at once during a rollout
 * @param readyTimeout how long a replacement may take to become ready before the rollout fails
 * @param onDemand not started by {@code up}: the first routed request starts it
 * @param idleStop stopped after this long without requests; null: never
 */
public record TrafficSpec(
        Duration drainTimeout,
        int maxSurge,
        int maxUnavailable,
        Duration readyTimeout,
        boolean onDemand,
        Duration idleStop) {
    public TrafficSpec {
        Objects.requireNonNull(drainTimeout, "drainTimeout");
        Objects.requireNonNull(readyTimeout, "readyTimeout");
    }
}
