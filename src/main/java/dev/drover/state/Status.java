package dev.drover.state;

import java.util.List;

/**
 * Everything known about one process instance at one moment; immutable, replaced on every event.
 * Grouped by concern: its dependencies, its current child, its readiness, its restart budget and
 * how its last run ended.
 *
 * @param goal whether the user wants it running: a start while stopping is remembered here
 * @param reason the last thing worth telling, rendered from the values that caused it
 */
public record Status(
        ProcessState state,
        boolean goal,
        Waiting waiting,
        Run run,
        Readiness readiness,
        RestartBudget budget,
        End lastEnd,
        String reason) {

    /** Whether its dependencies meet their conditions, and what it waits for when they do not. */
    public record Waiting(boolean met, String waitingFor) {
        public static final Waiting MET = new Waiting(true, null);

        public static Waiting of(boolean met, String waitingFor) {
            return met ? MET : new Waiting(false, waitingFor);
        }
    }

    /**
     * The current child, if any.
     *
     * @param pid 0 when there is none
     * @param becameReady it has been ready at least once: a run that ends before is a failed start
     * @param healthySinceMillis since when it has been ready without a break, kept while it stops
     *     (for {@code reset_after}); 0 when it is not
     * @param livenessWatched its liveness probe runs (from its first ready, or its start period)
     * @param failing why the stop in progress was ordered (liveness, a limit), so that its end counts
     *     as a failure; null for a stop that was asked for
     */
    public record Run(
            int pid,
            long startedAtMillis,
            boolean becameReady,
            long healthySinceMillis,
            boolean livenessWatched,
            Failure failing) {
        public static final Run NONE = new Run(0, 0, false, 0, false, null);

        public static Run of(int pid, long startedAtMillis) {
            return new Run(pid, startedAtMillis, false, 0, false, null);
        }

        Run ready(long atMillis) {
            return new Run(
                    pid,
                    startedAtMillis,
                    true,
                    healthySinceMillis == 0 ? atMillis : healthySinceMillis,
                    livenessWatched,
                    failing);
        }

        Run notReady() {
            return new Run(pid, startedAtMillis, becameReady, 0, livenessWatched, failing);
        }

        Run watched() {
            return new Run(pid, startedAtMillis, becameReady, healthySinceMillis, true, failing);
        }

        Run failing(Failure cause) {
            return new Run(pid, startedAtMillis, becameReady, healthySinceMillis, livenessWatched, cause);
        }
    }

    /** Whether it may receive traffic and release dependents, and since when it has been ready (0 if not). */
    public record Readiness(Health health, long sinceMillis) {
        public static final Readiness UNKNOWN = new Readiness(Health.UNKNOWN, 0);
    }

    /**
     * @param restarts automatic restarts so far
     * @param recent when the automatic restarts inside the restart window happened
     * @param attempt restarts in a row without a healthy run of {@code reset_after} in between (the backoff exponent)
     * @param failedStarts runs in a row that ended before the process became ready
     * @param timerToken matches the one pending backoff timer; stale timers carry another
     * @param nextStartAtMillis when the pending backoff ends, 0 when none is pending
     */
    public record RestartBudget(
            int restarts, List<Long> recent, int attempt, int failedStarts, long timerToken, long nextStartAtMillis) {
        public static final RestartBudget FRESH = new RestartBudget(0, List.of(), 0, 0, 0, 0);

        public RestartBudget {
            recent = List.copyOf(recent);
        }

        /** A user's start: the same count of restarts, but a new budget. */
        RestartBudget renewed() {
            return new RestartBudget(restarts, List.of(), 0, 0, timerToken, 0);
        }

        /** The pending timer, if any, no longer counts. */
        RestartBudget cancelTimer() {
            return new RestartBudget(restarts, recent, attempt, failedStarts, timerToken + 1, 0);
        }

        RestartBudget readyAgain() {
            return failedStarts == 0
                    ? this
                    : new RestartBudget(restarts, recent, attempt, 0, timerToken, nextStartAtMillis);
        }
    }

    public static Status initial(boolean dependenciesMet, String waitingFor) {
        return new Status(
                ProcessState.STOPPED,
                false,
                Waiting.of(dependenciesMet, waitingFor),
                Run.NONE,
                Readiness.UNKNOWN,
                RestartBudget.FRESH,
                null,
                null);
    }

    public int pid() {
        return run.pid();
    }

    public long startedAtMillis() {
        return run.startedAtMillis();
    }

    public Health health() {
        return readiness.health();
    }

    public int restarts() {
        return budget.restarts();
    }

    public boolean dependenciesMet() {
        return waiting.met();
    }

    /** What unmet dependency holds it back, or null. */
    public String waitingFor() {
        return waiting.waitingFor();
    }

    /** Finished with exit code 0 and not to be restarted: what `condition: completed` waits for. */
    public boolean completed() {
        return state == ProcessState.EXITED && lastEnd != null && lastEnd.success();
    }

    /** Running and ready: it may receive traffic and it releases dependents waiting for it to be healthy. */
    public boolean serving() {
        return state == ProcessState.RUNNING && readiness.health() == Health.READY;
    }

    /** Done with for now: stopped, finished or given up, with nothing in flight. */
    public boolean settled() {
        return switch (state) {
            case STOPPED, EXITED, FATAL -> true;
            case STARTING, RUNNING, DRAINING, BACKOFF, STOPPING -> false;
        };
    }

    Status in(ProcessState next) {
        return new Status(next, goal, waiting, run, readiness, budget, lastEnd, reason);
    }

    Status wanted(boolean wanted) {
        return new Status(state, wanted, waiting, run, readiness, budget, lastEnd, reason);
    }

    Status waiting(Waiting next) {
        return new Status(state, goal, next, run, readiness, budget, lastEnd, reason);
    }

    Status run(Run next) {
        return new Status(state, goal, waiting, next, readiness, budget, lastEnd, reason);
    }

    Status readiness(Readiness next) {
        return new Status(state, goal, waiting, run, next, budget, lastEnd, reason);
    }

    Status budget(RestartBudget next) {
        return new Status(state, goal, waiting, run, readiness, next, lastEnd, reason);
    }

    Status ended(End end) {
        return new Status(state, goal, waiting, run, readiness, budget, end, reason);
    }

    Status because(String why) {
        return new Status(state, goal, waiting, run, readiness, budget, lastEnd, why);
    }
}
