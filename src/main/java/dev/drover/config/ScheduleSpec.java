package dev.drover.config;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Objects;

/**
 * When a periodic job runs: a cron expression (five fields, or {@code @hourly}, {@code @daily} and
 * the other nicknames) in {@code zone}, or a fixed interval ({@code @every 30s}).
 *
 * @param expression as written in the configuration, for messages and {@code ps}
 * @param every the interval of {@code @every}, or null for a cron expression
 * @param overlap what a run that comes while the last one still runs does
 * @param catchUp whether a run missed while the daemon was down is made up for once at its start
 */
public record ScheduleSpec(String expression, Duration every, ZoneId zone, Overlap overlap, boolean catchUp) {

    /** What a run due while the previous one still runs does. */
    public enum Overlap {
        /** It is skipped (the log says so). */
        SKIP,
        /** It starts once the running one has ended (at most one waits). */
        QUEUE,
        /** The running one is stopped and a new one started. */
        REPLACE;

        public String yamlName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public ScheduleSpec {
        Objects.requireNonNull(expression, "expression");
        Objects.requireNonNull(zone, "zone");
        Objects.requireNonNull(overlap, "overlap");
    }

    /** The first time after {@code after} that a run is due. */
    public Instant next(Instant after) {
        if (every != null) {
            return after.plus(every);
        }
        return CronExpressions.next(expression, zone, after);
    }
}
