package dev.drover.control;

/**
 * The schedule of a periodic job as {@code ps} and the API show it. Times are epoch milliseconds,
 * 0 for none.
 *
 * @param expression the schedule as configured ({@code "*&#47;5 * * * *"}, {@code "@every 30s"})
 * @param lastResult how the last run ended ("exit code 0"), or null while it runs or before the first
 * @param queued whether a run waits for the one under way to end ({@code overlap: queue})
 */
public record ScheduleInfo(String expression, long lastRun, String lastResult, long nextRun, boolean queued) {}
