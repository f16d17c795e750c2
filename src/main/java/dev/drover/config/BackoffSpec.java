package dev.drover.config;

import java.time.Duration;
import java.util.Objects;

/**
 * How long to wait before restart number n: {@code initial × multiplier^n}, capped at {@code max};
 * the count resets after {@code resetAfter} of healthy running.
 */
public record BackoffSpec(Duration initial, Duration max, double multiplier, Duration resetAfter) {

    public BackoffSpec {
        Objects.requireNonNull(initial, "initial");
        Objects.requireNonNull(max, "max");
        Objects.requireNonNull(resetAfter, "resetAfter");
    }
}
