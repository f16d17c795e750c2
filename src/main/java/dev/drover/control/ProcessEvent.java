package dev.drover.control;

/**
 * A change of one process instance's state or health, as {@code GET /api/events} streams it.
 *
 * @param time when it changed, epoch milliseconds
 * @param process the instance ({@code api} or {@code api.0})
 * @param state the state it is in now
 * @param health its health now
 * @param previousState the state before the change
 * @param previousHealth the health before the change
 * @param pid its main process now, 0 when none
 * @param restartCount automatic restarts so far
 * @param reason why: the exit, the failed probe, the broken limit, or the step taken
 * @param lastEnd the end of a run this change records, else null
 */
public record ProcessEvent(
        long time,
        String process,
        String state,
        String health,
        String previousState,
        String previousHealth,
        int pid,
        int restartCount,
        String reason,
        RunEnd lastEnd) {}
