package dev.drover.state;

import static dev.drover.state.ProcessState.BACKOFF;
import static dev.drover.state.ProcessState.DRAINING;
import static dev.drover.state.ProcessState.EXITED;
import static dev.drover.state.ProcessState.FATAL;
import static dev.drover.state.ProcessState.RUNNING;
import static dev.drover.state.ProcessState.STARTING;
import static dev.drover.state.ProcessState.STOPPED;
import static dev.drover.state.ProcessState.STOPPING;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.drover.state.Effect.Announce;
import dev.drover.state.Effect.CleanUpExited;
import dev.drover.state.Effect.Drain;
import dev.drover.state.Effect.Schedule;
import dev.drover.state.Effect.Spawn;
import dev.drover.state.Effect.StartLiveness;
import dev.drover.state.Effect.StartReadiness;
import dev.drover.state.Effect.StopChild;
import dev.drover.state.Effect.StopProbes;
import dev.drover.state.RestartRules.Policy;
import dev.drover.state.Status.Readiness;
import dev.drover.state.Status.RestartBudget;
import dev.drover.state.Status.Run;
import dev.drover.state.Status.Waiting;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TransitionTest {
    private static final int PID = 42;
    private static final int STALE_PID = 41;
    private static final long TOKEN = 7;
    /** When the table's child was spawned. */
    private static final long T0 = 1_000_000;
    /** When the table's events happen. */
    private static final long T1 = T0 + 5_000;

    private static final Termination EXIT_0 = Termination.exited(0);
    private static final Termination EXIT_1 = Termination.exited(1);
    private static final Termination SIGTERM = Termination.killed(15, "SIGTERM", false);
    private static final Termination SIGKILL = Termination.killed(9, "SIGKILL", false);
    private static final StopResult STOPPED_BY_TERM = new StopResult(SIGTERM, false, null);
    private static final StopResult KILLED_AFTER_TIMEOUT = new StopResult(SIGKILL, true, null);
    private static final SpawnFailure NO_SUCH_FILE = SpawnFailure.permanent("no such file: /bin/nope");
    private static final SpawnFailure NO_DESCRIPTORS =
            new SpawnFailure("cannot create a pipe: Too many open files", 24, true);
    private static final Failure NO_ANSWER = new Failure.Liveness("no answer in 1s");
    private static final Failure OVER_MEMORY =
            new Failure.LimitBroken(Failure.Resource.MEMORY, "600MB over 512MB for 3 samples");
    private static final Failure OVER_CPU =
            new Failure.LimitBroken(Failure.Resource.CPU, "150% over 90% for 3 samples");

    // ---------------------------------------------------------------------------------------------
    // The table: every state × every event kind, each cell a deliberate expectation (s6's
    // actions[state][event]): the next state, the exact effects in order, and every field of the
    // status that changes (all others must stay as they were). RUNNING has two rows: a child that
    // is ready and watched, and one just spawned that is neither yet; STOPPING has two: a stop that
    // was asked for, and one ordered because the child was failing.
    // ---------------------------------------------------------------------------------------------

    /** Columns, in order: one event of every kind, about child {@value #PID} and timer {@value #TOKEN}. */
    private static final List<Event> EVENTS = List.of(
            new Event.Start(),
            new Event.Stop(),
            new Event.Restart(),
            new Event.DependenciesChanged(false, "db to be healthy"),
            new Event.Spawned(PID, T1),
            new Event.SpawnFailed(NO_SUCH_FILE, T1, 0.5),
            new Event.Exited(PID, EXIT_1, T1, 0.5),
            new Event.Stopped(PID, STOPPED_BY_TERM, T1, 0.5),
            new Event.Drained(PID),
            new Event.BackoffElapsed(TOKEN),
            new Event.ReadinessChanged(PID, false, "HTTP 503", T1),
            new Event.UptimeReached(PID, T1),
            new Event.StartPeriodElapsed(PID),
            new Event.Failing(PID, NO_ANSWER, T1));

    /**
     * ALWAYS restart, no max_restarts, backoff 1s × 2, reset_after 10s, no readiness probe,
     * min_uptime 1s, start_period 30s, no draining (see {@link Draining} for that).
     */
    private static final RestartRules TABLE_RULES = rules().minUptime(Duration.ofSeconds(1))
            .startPeriod(Duration.ofSeconds(30))
            .build();

    private static final RestartBudget BUDGET = new RestartBudget(0, List.of(), 0, 0, TOKEN, 0);
    /** Ready (and healthy) since 1s after its spawn, and watched. */
    private static final Run READY_CHILD = new Run(PID, T0, true, T0 + 1_000, true, null);

    private static final Run NEW_CHILD = Run.of(PID, T0);

    private static final Status STOPPED_STATUS =
            new Status(STOPPED, false, Waiting.MET, Run.NONE, Readiness.UNKNOWN, BUDGET, null, null);
    private static final Status STARTING_STATUS =
            new Status(STARTING, true, Waiting.MET, Run.NONE, Readiness.UNKNOWN, BUDGET, null, null);
    private static final Status RUNNING_READY = new Status(
            RUNNING, true, Waiting.MET, READY_CHILD, new Readiness(Health.READY, T0 + 1_000), BUDGET, null, null);
    /** Just spawned after two runs that ended before they were ready. */
    private static final Status RUNNING_NOT_READY_YET = new Status(
            RUNNING,
            true,
            Waiting.MET,
            NEW_CHILD,
            Readiness.UNKNOWN,
            new RestartBudget(2, List.of(T0 - 3_000, T0 - 1_000), 2, 2, TOKEN, 0),
            new End.Exited(EXIT_1),
            null);
    /** Draining for a stop. */
    private static final Status DRAINING_STATUS =
            new Status(DRAINING, false, Waiting.MET, READY_CHILD, Readiness.UNKNOWN, BUDGET, null, null);

    private static final Status BACKOFF_STATUS = new Status(
            BACKOFF,
            true,
            Waiting.MET,
            Run.NONE,
            Readiness.UNKNOWN,
            new RestartBudget(1, List.of(T0), 1, 0, TOKEN, T0 + 1_000),
            new End.Exited(EXIT_1),
            "exited (exit code 1)");
    /** Stopping for a stop. */
    private static final Status STOPPING_STATUS =
            new Status(STOPPING, false, Waiting.MET, READY_CHILD, Readiness.UNKNOWN, BUDGET, null, null);
    /** Stopping because its liveness failed (ready and healthy until then), to be restarted. */
    private static final Status STOPPING_FAILING_STATUS = new Status(
            STOPPING,
            true,
            Waiting.MET,
            new Run(PID, T0, true, T0 + 1_000, true, NO_ANSWER),
            Readiness.UNKNOWN,
            BUDGET,
            null,
            "liveness failed: no answer in 1s");

    private static final Status EXITED_STATUS = new Status(
            EXITED,
            true,
            Waiting.MET,
            Run.NONE,
            Readiness.UNKNOWN,
            new RestartBudget(2, List.of(T0 - 2_000, T0 - 1_000), 2, 0, TOKEN, 0),
            new End.Exited(EXIT_0),
            "exited (exit code 0)");
    private static final Status FATAL_STATUS = new Status(
            FATAL,
            true,
            Waiting.MET,
            Run.NONE,
            Readiness.UNKNOWN,
            new RestartBudget(3, List.of(T0 - 2_000, T0 - 1_000, T0), 3, 3, TOKEN, 0),
            new End.Exited(EXIT_1),
            "exited (exit code 1); restarted 3 times within 60s (max_restarts 3), giving up");

    private static final Change UNMET = waiting(false, "db to be healthy");
    private static final List<Effect> STOP_AT_ONCE =
            List.of(new StopProbes(), new Announce("stopping"), new StopChild());
    private static final List<Effect> RESTART_AT_ONCE =
            List.of(new StopProbes(), new Announce("restarting"), new StopChild());
    private static final List<Effect> STOP_FAILING = List.of(
            new StopProbes(), new Announce("liveness failed: no answer in 1s; stopping to restart"), new StopChild());

    private static final List<Row> TABLE = List.of(
            row(
                    "stopped",
                    STOPPED_STATUS,
                    /* Start               */ to(STARTING, List.of(new Spawn()), goal(true)),
                    /* Stop                */ noOp("already not wanted"),
                    /* Restart             */ to(STARTING, List.of(new Spawn()), goal(true)),
                    /* DependenciesChanged */ to(STOPPED, List.of(), UNMET),
                    /* Spawned             */ illegal(),
                    /* SpawnFailed         */ illegal(),
                    /* Exited              */ stale(),
                    /* Stopped             */ stale(),
                    /* Drained             */ stale(),
                    /* BackoffElapsed      */ stale(),
                    /* ReadinessChanged    */ stale(),
                    /* UptimeReached       */ stale(),
                    /* StartPeriodElapsed  */ stale(),
                    /* Failing             */ stale()),
            row(
                    "starting",
                    STARTING_STATUS,
                    /* Start               */ noOp("already wanted"),
                    /* Stop                */ to(STARTING, List.of(), goal(false)),
                    /* Restart             */ noOp("already wanted"),
                    /* DependenciesChanged */ to(STARTING, List.of(), UNMET),
                    /* Spawned             */ to(
                            RUNNING,
                            List.of(
                                    new Schedule(Duration.ofSeconds(1), new Event.UptimeReached(PID, T1 + 1_000)),
                                    new Schedule(Duration.ofSeconds(30), new Event.StartPeriodElapsed(PID)),
                                    new Announce("started (pid 42)")),
                            run(Run.of(PID, T1))),
                    /* SpawnFailed         */ to(
                            FATAL,
                            List.of(new Announce("fatal: no such file: /bin/nope")),
                            ended(new End.NotSpawned(NO_SUCH_FILE)),
                            reason("no such file: /bin/nope")),
                    /* Exited              */ stale(),
                    /* Stopped             */ stale(),
                    /* Drained             */ stale(),
                    /* BackoffElapsed      */ stale(),
                    /* ReadinessChanged    */ stale(),
                    /* UptimeReached       */ stale(),
                    /* StartPeriodElapsed  */ stale(),
                    /* Failing             */ stale()),
            row(
                    "running (ready)",
                    RUNNING_READY,
                    /* Start               */ noOp("already wanted"),
                    /* Stop                */ to(STOPPING, STOP_AT_ONCE, goal(false), readiness(Readiness.UNKNOWN)),
                    /* Restart             */ to(STOPPING, RESTART_AT_ONCE, readiness(Readiness.UNKNOWN)),
                    /* DependenciesChanged */ to(RUNNING, List.of(), UNMET),
                    /* Spawned             */ illegal(),
                    /* SpawnFailed         */ illegal(),
                    /* Exited              */ to(
                            BACKOFF,
                            List.of(
                                    new StopProbes(),
                                    new CleanUpExited(),
                                    new Announce("exited (exit code 1); restarting in 1s"),
                                    new Schedule(Duration.ofSeconds(1), new Event.BackoffElapsed(TOKEN + 1))),
                            run(Run.NONE),
                            readiness(Readiness.UNKNOWN),
                            ended(new End.Exited(EXIT_1)),
                            budget(new RestartBudget(1, List.of(T1), 1, 0, TOKEN + 1, T1 + 1_000)),
                            reason("exited (exit code 1)")),
                    /* Stopped             */ illegal(),
                    /* Drained             */ illegal(),
                    /* BackoffElapsed      */ stale(),
                    // Not ready: its healthy time (for reset_after) starts again at its next ready.
                    /* ReadinessChanged    */ to(
                            RUNNING,
                            List.of(new Announce("not ready: HTTP 503")),
                            run(new Run(PID, T0, true, 0, true, null)),
                            readiness(new Readiness(Health.NOT_READY, 0)),
                            reason("HTTP 503")),
                    /* UptimeReached       */ noOp("already ready"),
                    /* StartPeriodElapsed  */ noOp("liveness already watched"),
                    /* Failing             */ to(
                            STOPPING,
                            STOP_FAILING,
                            run(new Run(PID, T0, true, T0 + 1_000, true, NO_ANSWER)),
                            readiness(Readiness.UNKNOWN),
                            reason("liveness failed: no answer in 1s"))),
            row(
                    "running (not ready yet)",
                    RUNNING_NOT_READY_YET,
                    /* Start               */ noOp("already wanted"),
                    /* Stop                */ to(STOPPING, STOP_AT_ONCE, goal(false)),
                    /* Restart             */ to(STOPPING, RESTART_AT_ONCE),
                    /* DependenciesChanged */ to(RUNNING, List.of(), UNMET),
                    /* Spawned             */ illegal(),
                    /* SpawnFailed         */ illegal(),
                    // Its third failed start in a row: counted, and the backoff has grown to 4s.
                    /* Exited              */ to(
                            BACKOFF,
                            List.of(
                                    new StopProbes(),
                                    new CleanUpExited(),
                                    new Announce("exited (exit code 1); restarting in 4s"),
                                    new Schedule(Duration.ofSeconds(4), new Event.BackoffElapsed(TOKEN + 1))),
                            run(Run.NONE),
                            ended(new End.Exited(EXIT_1)),
                            budget(new RestartBudget(
                                    3, List.of(T0 - 3_000, T0 - 1_000, T1), 3, 3, TOKEN + 1, T1 + 4_000)),
                            reason("exited (exit code 1)")),
                    /* Stopped             */ illegal(),
                    /* Drained             */ illegal(),
                    /* BackoffElapsed      */ stale(),
                    /* ReadinessChanged    */ to(
                            RUNNING,
                            List.of(new Announce("not ready: HTTP 503")),
                            readiness(new Readiness(Health.NOT_READY, 0)),
                            reason("HTTP 503")),
                    // Ready without a probe: announced with its min_uptime, liveness starts, the failed starts are
                    // forgiven.
                    /* UptimeReached       */ to(
                            RUNNING,
                            List.of(new Announce("ready (up for 1s)"), new StartLiveness(PID)),
                            run(new Run(PID, T0, true, T1, true, null)),
                            readiness(new Readiness(Health.READY, T1)),
                            budget(new RestartBudget(2, List.of(T0 - 3_000, T0 - 1_000), 2, 0, TOKEN, 0))),
                    /* StartPeriodElapsed  */ to(
                            RUNNING, List.of(new StartLiveness(PID)), run(new Run(PID, T0, false, 0, true, null))),
                    /* Failing             */ to(
                            STOPPING,
                            STOP_FAILING,
                            run(new Run(PID, T0, false, 0, false, NO_ANSWER)),
                            reason("liveness failed: no answer in 1s"))),
            row(
                    "draining",
                    DRAINING_STATUS,
                    /* Start               */ to(DRAINING, List.of(), goal(true)),
                    /* Stop                */ noOp("already not wanted"),
                    /* Restart             */ to(DRAINING, List.of(), goal(true)),
                    /* DependenciesChanged */ to(DRAINING, List.of(), UNMET),
                    /* Spawned             */ illegal(),
                    /* SpawnFailed         */ illegal(),
                    /* Exited              */ to(
                            STOPPED,
                            List.of(
                                    new StopProbes(),
                                    new CleanUpExited(),
                                    new Announce("exited while draining (exit code 1)")),
                            run(Run.NONE),
                            ended(new End.Exited(EXIT_1)),
                            reason("exited while draining (exit code 1)")),
                    /* Stopped             */ illegal(),
                    /* Drained             */ to(
                            STOPPING, List.of(new StopProbes(), new Announce("drained; stopping"), new StopChild())),
                    /* BackoffElapsed      */ stale(),
                    /* ReadinessChanged    */ ignored(),
                    /* UptimeReached       */ ignored(),
                    /* StartPeriodElapsed  */ ignored(),
                    // A failure cuts the drain short: stopped now, and its end is recorded as the failure.
                    /* Failing             */ to(
                            STOPPING,
                            List.of(
                                    new StopProbes(),
                                    new Announce("liveness failed: no answer in 1s; stopping now instead of draining"),
                                    new StopChild()),
                            run(new Run(PID, T0, true, T0 + 1_000, true, NO_ANSWER)),
                            reason("liveness failed: no answer in 1s"))),
            row(
                    "backoff",
                    BACKOFF_STATUS,
                    /* Start               */ to(
                            STARTING,
                            List.of(new Spawn()),
                            budget(new RestartBudget(1, List.of(T0), 1, 0, TOKEN + 1, 0))),
                    /* Stop                */ to(
                            STOPPED,
                            List.of(),
                            goal(false),
                            budget(new RestartBudget(1, List.of(T0), 1, 0, TOKEN + 1, 0)),
                            reason("stopped")),
                    /* Restart             */ to(
                            STARTING,
                            List.of(new Spawn()),
                            budget(new RestartBudget(1, List.of(T0), 1, 0, TOKEN + 1, 0))),
                    /* DependenciesChanged */ to(BACKOFF, List.of(), UNMET),
                    /* Spawned             */ illegal(),
                    /* SpawnFailed         */ illegal(),
                    /* Exited              */ stale(),
                    /* Stopped             */ stale(),
                    /* Drained             */ stale(),
                    /* BackoffElapsed      */ to(
                            STARTING,
                            List.of(new Spawn()),
                            budget(new RestartBudget(1, List.of(T0), 1, 0, TOKEN + 1, 0))),
                    /* ReadinessChanged    */ stale(),
                    /* UptimeReached       */ stale(),
                    /* StartPeriodElapsed  */ stale(),
                    /* Failing             */ stale()),
            row(
                    "stopping",
                    STOPPING_STATUS,
                    /* Start               */ to(STOPPING, List.of(), goal(true)),
                    /* Stop                */ noOp("already not wanted"),
                    /* Restart             */ to(STOPPING, List.of(), goal(true)),
                    /* DependenciesChanged */ to(STOPPING, List.of(), UNMET),
                    /* Spawned             */ illegal(),
                    /* SpawnFailed         */ illegal(),
                    /* Exited              */ ignored(),
                    /* Stopped             */ to(
                            STOPPED,
                            List.of(new Announce("stopped (killed by SIGTERM)")),
                            run(Run.NONE),
                            ended(new End.Stopped(STOPPED_BY_TERM)),
                            reason("stopped (killed by SIGTERM)")),
                    // A drain that ended after a failure cut it short.
                    /* Drained             */ ignored(),
                    /* BackoffElapsed      */ stale(),
                    /* ReadinessChanged    */ ignored(),
                    /* UptimeReached       */ ignored(),
                    /* StartPeriodElapsed  */ ignored(),
                    /* Failing             */ ignored()),
            row(
                    "stopping (failing)",
                    STOPPING_FAILING_STATUS,
                    // The user's own start or restart: a plain restart once stopped, not a counted failure.
                    /* Start               */ to(
                            STOPPING,
                            List.of(),
                            run(STOPPING_FAILING_STATUS.run().failing(null))),
                    /* Stop                */ to(STOPPING, List.of(), goal(false)),
                    /* Restart             */ to(
                            STOPPING,
                            List.of(),
                            run(STOPPING_FAILING_STATUS.run().failing(null))),
                    /* DependenciesChanged */ to(STOPPING, List.of(), UNMET),
                    /* Spawned             */ illegal(),
                    /* SpawnFailed         */ illegal(),
                    /* Exited              */ ignored(),
                    // Counted like a crash: healthy for 4s only (reset_after 10s), so attempt 0, 1s ± 10%.
                    /* Stopped             */ to(
                            BACKOFF,
                            List.of(
                                    new Announce("stopped (killed by SIGTERM)"),
                                    new Announce("liveness failed: no answer in 1s; restarting in 1s"),
                                    new Schedule(Duration.ofSeconds(1), new Event.BackoffElapsed(TOKEN + 1))),
                            run(Run.NONE),
                            ended(new End.Failed(NO_ANSWER, STOPPED_BY_TERM)),
                            budget(new RestartBudget(1, List.of(T1), 1, 0, TOKEN + 1, T1 + 1_000))),
                    /* Drained             */ ignored(),
                    /* BackoffElapsed      */ stale(),
                    /* ReadinessChanged    */ ignored(),
                    /* UptimeReached       */ ignored(),
                    /* StartPeriodElapsed  */ ignored(),
                    /* Failing             */ ignored()),
            row(
                    "exited",
                    EXITED_STATUS,
                    /* Start               */ to(
                            STARTING, List.of(new Spawn()), budget(new RestartBudget(2, List.of(), 0, 0, TOKEN, 0))),
                    /* Stop                */ to(EXITED, List.of(), goal(false)),
                    /* Restart             */ to(
                            STARTING, List.of(new Spawn()), budget(new RestartBudget(2, List.of(), 0, 0, TOKEN, 0))),
                    /* DependenciesChanged */ to(EXITED, List.of(), UNMET),
                    /* Spawned             */ illegal(),
                    /* SpawnFailed         */ illegal(),
                    /* Exited              */ stale(),
                    /* Stopped             */ stale(),
                    /* Drained             */ stale(),
                    /* BackoffElapsed      */ stale(),
                    /* ReadinessChanged    */ stale(),
                    /* UptimeReached       */ stale(),
                    /* StartPeriodElapsed  */ stale(),
                    /* Failing             */ stale()),
            row(
                    "fatal",
                    FATAL_STATUS,
                    /* Start               */ to(
                            STARTING, List.of(new Spawn()), budget(new RestartBudget(3, List.of(), 0, 0, TOKEN, 0))),
                    /* Stop                */ to(FATAL, List.of(), goal(false)),
                    /* Restart             */ to(
                            STARTING, List.of(new Spawn()), budget(new RestartBudget(3, List.of(), 0, 0, TOKEN, 0))),
                    /* DependenciesChanged */ to(FATAL, List.of(), UNMET),
                    /* Spawned             */ illegal(),
                    /* SpawnFailed         */ illegal(),
                    /* Exited              */ stale(),
                    /* Stopped             */ stale(),
                    /* Drained             */ stale(),
                    /* BackoffElapsed      */ stale(),
                    /* ReadinessChanged    */ stale(),
                    /* UptimeReached       */ stale(),
                    /* StartPeriodElapsed  */ stale(),
                    /* Failing             */ stale()));

    private record Row(String name, Status before, List<Cell> cells) {}

    private sealed interface Cell {}

    /** Moves to {@code state} with exactly these effects; the status is the old one with exactly these changes. */
    private record Goes(ProcessState state, List<Effect> effects, List<Change> changes) implements Cell {}

    /** Leaves the status exactly as it was and does nothing; {@code why} is for the test's name. */
    private record Unchanged(String why) implements Cell {}

    /** Cannot happen in this state: throws {@link IllegalTransitionException}. */
    private record Illegal() implements Cell {}

    /** One change to a status. */
    private interface Change extends UnaryOperator<Status> {}

    private static Row row(String name, Status before, Cell... cells) {
        if (cells.length != EVENTS.size()) {
            throw new AssertionError("row " + name + " has " + cells.length + " cells, not " + EVENTS.size());
        }
        return new Row(name, before, List.of(cells));
    }

    private static Cell to(ProcessState state, List<Effect> effects, Change... changes) {
        return new Goes(state, effects, List.of(changes));
    }

    private static Cell noOp(String why) {
        return new Unchanged("no-op: " + why);
    }

    /** News about a child or a timer that is not the current one ("—" in docs/lifecycle.md). */
    private static Cell stale() {
        return new Unchanged("— stale");
    }

    /** News that was on its way when the child started leaving. */
    private static Cell ignored() {
        return new Unchanged("ignored, on its way out");
    }

    private static Cell illegal() {
        return new Illegal();
    }

    private static Change goal(boolean goal) {
        return s ->
                new Status(s.state(), goal, s.waiting(), s.run(), s.readiness(), s.budget(), s.lastEnd(), s.reason());
    }

    private static Change waiting(boolean met, String waitingFor) {
        return s -> new Status(
                s.state(),
                s.goal(),
                new Waiting(met, waitingFor),
                s.run(),
                s.readiness(),
                s.budget(),
                s.lastEnd(),
                s.reason());
    }

    private static Change run(Run run) {
        return s ->
                new Status(s.state(), s.goal(), s.waiting(), run, s.readiness(), s.budget(), s.lastEnd(), s.reason());
    }

    private static Change readiness(Readiness readiness) {
        return s ->
                new Status(s.state(), s.goal(), s.waiting(), s.run(), readiness, s.budget(), s.lastEnd(), s.reason());
    }

    private static Change budget(RestartBudget budget) {
        return s ->
                new Status(s.state(), s.goal(), s.waiting(), s.run(), s.readiness(), budget, s.lastEnd(), s.reason());
    }

    private static Change ended(End end) {
        return s -> new Status(s.state(), s.goal(), s.waiting(), s.run(), s.readiness(), s.budget(), end, s.reason());
    }

    private static Change reason(String reason) {
        return s ->
                new Status(s.state(), s.goal(), s.waiting(), s.run(), s.readiness(), s.budget(), s.lastEnd(), reason);
    }

    private static Status expected(Status before, Goes goes) {
        Status s = new Status(
                goes.state(),
                before.goal(),
                before.waiting(),
                before.run(),
                before.readiness(),
                before.budget(),
                before.lastEnd(),
                before.reason());
        for (Change change : goes.changes()) {
            s = change.apply(s);
        }
        return s;
    }

    @Test
    void tableCoversEveryStateAndEveryEventKind() {
        Set<ProcessState> states = TABLE.stream()
                .map(r -> r.before().state())
                .collect(Collectors.toCollection(() -> EnumSet.noneOf(ProcessState.class)));
        assertThat(states).containsExactlyInAnyOrder(ProcessState.values());
        assertThat(EVENTS.stream().map(Object::getClass).toList()).containsExactlyInAnyOrder(permittedEvents());
        TABLE.forEach(row -> assertThat(row.cells()).as(row.name()).hasSameSizeAs(EVENTS));
    }

    @SuppressWarnings("unchecked")
    private static Class<? extends Event>[] permittedEvents() {
        return Arrays.stream(Event.class.getPermittedSubclasses())
                .map(c -> (Class<? extends Event>) c)
                .toArray(Class[]::new);
    }

    @TestFactory
    Stream<DynamicTest> everyStateHandlesEveryEventAsTheTableSays() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Row row : TABLE) {
            for (int column = 0; column < EVENTS.size(); column++) {
                Event event = EVENTS.get(column);
                Cell cell = row.cells().get(column);
                String name = row.name() + " × " + event.getClass().getSimpleName() + " → " + describe(cell);
                tests.add(DynamicTest.dynamicTest(name, () -> assertCell(name, row.before(), event, cell)));
            }
        }
        return tests.stream();
    }

    private static void assertCell(String name, Status before, Event event, Cell cell) {
        switch (cell) {
            case Illegal illegal ->
                assertThatThrownBy(() -> Transition.next(before, event, TABLE_RULES))
                        .as(name)
                        .isInstanceOf(IllegalTransitionException.class)
                        .hasMessageContaining(before.state().label());
            case Unchanged unchanged -> {
                Step step = Transition.next(before, event, TABLE_RULES);
                assertThat(step.status()).as(name).isEqualTo(before);
                assertThat(step.effects()).as(name).isEmpty();
            }
            case Goes goes -> {
                Step step = Transition.next(before, event, TABLE_RULES);
                assertThat(step.status().state()).as(name).isEqualTo(goes.state());
                assertThat(step.effects()).as(name).containsExactlyElementsOf(goes.effects());
                assertThat(step.status()).as(name).isEqualTo(expected(before, goes));
            }
        }
    }

    private static String describe(Cell cell) {
        return switch (cell) {
            case Illegal illegal -> "throws";
            case Unchanged unchanged -> unchanged.why();
            case Goes goes ->
                goes.state().label() + " "
                        + goes.effects().stream()
                                .map(e -> e.getClass().getSimpleName())
                                .toList();
        };
    }

    /** News about a child that is not the current one, in every state that has a child. */
    @TestFactory
    Stream<DynamicTest> newsAboutAnEarlierChildIsIgnored() {
        List<Status> withChild = List.of(
                RUNNING_READY,
                RUNNING_NOT_READY_YET,
                goal(true).apply(readiness(new Readiness(Health.NOT_READY, 0)).apply(RUNNING_READY)),
                DRAINING_STATUS,
                goal(true).apply(DRAINING_STATUS),
                STOPPING_STATUS,
                goal(true).apply(STOPPING_STATUS),
                run(new Run(PID, T0, true, T0 + 1_000, true, NO_ANSWER))
                        .apply(goal(true).apply(STOPPING_STATUS)),
                run(new Run(PID, T0, true, T0 + 1_000, true, OVER_MEMORY)).apply(STOPPING_STATUS));
        return Stream.of(STALE_PID, 0)
                .flatMap(pid -> withChild.stream()
                        .flatMap(status -> newsAbout(pid).stream()
                                .map(event -> DynamicTest.dynamicTest(
                                        status.state().label() + " (goal " + status.goal() + ", "
                                                + status.health().label() + ") × " + event,
                                        () -> assertIgnored(status, event)))));
    }

    /** In a state without a child, news about any child (even "pid 0") is news about an earlier one. */
    @TestFactory
    Stream<DynamicTest> newsAboutAChildIsIgnoredWhenThereIsNone() {
        List<Status> withoutChild =
                List.of(STOPPED_STATUS, STARTING_STATUS, BACKOFF_STATUS, EXITED_STATUS, FATAL_STATUS);
        return Stream.of(PID, 0)
                .flatMap(pid -> withoutChild.stream()
                        .flatMap(status -> newsAbout(pid).stream()
                                .map(event -> DynamicTest.dynamicTest(
                                        status.state().label() + " × " + event, () -> assertIgnored(status, event)))));
    }

    private static List<Event> newsAbout(int pid) {
        return List.of(
                new Event.Exited(pid, EXIT_1, T1, 0.5),
                new Event.Exited(pid, EXIT_0, T1, 0.5),
                new Event.Stopped(pid, STOPPED_BY_TERM, T1, 0.5),
                new Event.Stopped(pid, KILLED_AFTER_TIMEOUT, T1, 0.5),
                new Event.Drained(pid),
                new Event.ReadinessChanged(pid, false, "HTTP 503", T1),
                new Event.ReadinessChanged(pid, true, "HTTP 200", T1),
                new Event.UptimeReached(pid, T1),
                new Event.StartPeriodElapsed(pid),
                new Event.Failing(pid, NO_ANSWER, T1),
                new Event.Failing(pid, OVER_MEMORY, T1));
    }

    @TestFactory
    Stream<DynamicTest> aBackoffTimerThatIsNoLongerCurrentIsIgnored() {
        return Stream.of(TOKEN - 1, TOKEN + 1, 0L)
                .map(token -> DynamicTest.dynamicTest(
                        "backoff with token " + TOKEN + " × BackoffElapsed(" + token + ")",
                        () -> assertIgnored(BACKOFF_STATUS, new Event.BackoffElapsed(token))));
    }

    private static void assertIgnored(Status before, Event event) {
        Step step = Transition.next(before, event, TABLE_RULES);
        assertThat(step.status()).isEqualTo(before);
        assertThat(step.effects()).isEmpty();
    }

    // ---------------------------------------------------------------------------------------------
    // Behaviour, one rule per test.
    // ---------------------------------------------------------------------------------------------

    @Nested
    class Starting {
        @Test
        void startWithDependenciesMetSpawns() {
            Step step = Transition.next(Status.initial(true, null), new Event.Start(), rules().build());

            assertThat(step.status().state()).isEqualTo(STARTING);
            assertThat(step.status().goal()).isTrue();
            assertThat(step.status().pid()).isZero();
            assertThat(step.effects()).containsExactly(new Spawn());
        }

        @Test
        void startWithDependenciesUnmetWaitsAndSaysWhatFor() {
            Process p = new Process(Status.initial(false, "db to be healthy"), rules().build());

            Step step = p.on(new Event.Start());

            assertThat(step.status().state()).isEqualTo(STOPPED);
            assertThat(step.status().goal()).isTrue();
            assertThat(step.status().waitingFor()).isEqualTo("db to be healthy");
            assertThat(step.effects()).containsExactly(new Announce("waiting for db to be healthy"));
        }

        @Test
        void dependenciesMetLaterSpawnTheWaitingProcess() {
            Process p = new Process(Status.initial(false, "db to be healthy"), rules().build());
            p.on(new Event.Start());

            Step step = p.on(new Event.DependenciesChanged(true, null));

            assertThat(step.status().state()).isEqualTo(STARTING);
            assertThat(step.status().dependenciesMet()).isTrue();
            assertThat(step.status().waitingFor()).isNull();
            assertThat(step.effects()).containsExactly(new Spawn());
        }

        @Test
        void dependenciesChangingWhileWaitingSayWhatItWaitsForNow() {
            Process p = new Process(Status.initial(false, "db to be healthy"), rules().build());
            p.on(new Event.Start());

            Step step = p.on(new Event.DependenciesChanged(false, "migrate to complete"));

            assertThat(step.status().state()).isEqualTo(STOPPED);
            assertThat(step.status().waitingFor()).isEqualTo("migrate to complete");
            assertThat(step.effects()).containsExactly(new Announce("waiting for migrate to complete"));
        }

        @Test
        void dependenciesMetDoNotStartAProcessNobodyAskedFor() {
            Process p = new Process(Status.initial(false, "db to be healthy"), rules().build());

            Step step = p.on(new Event.DependenciesChanged(true, null));

            assertThat(step.status().state()).isEqualTo(STOPPED);
            assertThat(step.status().dependenciesMet()).isTrue();
            assertThat(step.effects()).isEmpty();
        }

        @Test
        void aDependencyGoingDownDoesNotStopARunningProcess() {
            Process p = running(rules().build());

            Step step = p.on(new Event.DependenciesChanged(false, "db to be healthy"));

            assertThat(step.status().state()).isEqualTo(RUNNING);
            assertThat(step.status().pid()).isEqualTo(PID);
            assertThat(step.status().waitingFor()).isEqualTo("db to be healthy");
            assertThat(step.effects()).isEmpty();
        }

        @Test
        void stopWhileWaitingForDependenciesCancelsTheStart() {
            Process p = new Process(Status.initial(false, "db to be healthy"), rules().build());
            p.on(new Event.Start());
            p.on(new Event.Stop());

            Step step = p.on(new Event.DependenciesChanged(true, null));

            assertThat(step.status().state()).isEqualTo(STOPPED);
            assertThat(step.status().goal()).isFalse();
            assertThat(step.effects()).isEmpty();
        }

        @Test
        void startAfterStopWhileWaitingStillSaysWhatItWaitsFor() {
            Process p = new Process(Status.initial(false, "db to be healthy"), rules().build());
            p.on(new Event.Start());
            p.on(new Event.Stop());

            Step step = p.on(new Event.Start());

            assertThat(step.status().state()).isEqualTo(STOPPED);
            assertThat(step.effects()).containsExactly(new Announce("waiting for db to be healthy"));
        }

        @Test
        void spawnedRecordsTheChildAndClearsTheOldReason() {
            Process p = new Process(FATAL_STATUS, rules().build());
            p.on(new Event.Start());

            Step step = p.on(new Event.Spawned(PID, T1));

            assertThat(step.status().state()).isEqualTo(RUNNING);
            assertThat(step.status().pid()).isEqualTo(PID);
            assertThat(step.status().startedAtMillis()).isEqualTo(T1);
            assertThat(step.status().reason()).isNull();
            assertThat(step.status().lastEnd())
                    .as("how the previous run ended stays visible")
                    .isEqualTo(FATAL_STATUS.lastEnd());
        }

        @Test
        void stopWhileStartingStopsTheChildOnceItIsSpawned() {
            Process p = new Process(Status.initial(true, null), rules().build());
            p.on(new Event.Start());

            Step stop = p.on(new Event.Stop());
            assertThat(stop.status().state()).isEqualTo(STARTING);
            assertThat(stop.status().goal()).isFalse();
            assertThat(stop.effects()).isEmpty();

            Step spawned = p.on(new Event.Spawned(PID, T0));
            assertThat(spawned.status().state()).isEqualTo(STOPPING);
            assertThat(spawned.status().pid()).isEqualTo(PID);
            assertThat(spawned.status().health()).isEqualTo(Health.UNKNOWN);
            assertThat(spawned.effects()).containsExactly(new StopProbes(), new Announce("stopping"), new StopChild());

            Step stopped = p.on(new Event.Stopped(PID, STOPPED_BY_TERM, T1, 0.5));
            assertThat(stopped.status().state()).isEqualTo(STOPPED);
            assertThat(stopped.status().pid()).isZero();
            assertThat(types(stopped)).doesNotContain(Spawn.class);
        }

        @Test
        void stopThenStartWhileStartingEndsUpRunning() {
            Process p = new Process(Status.initial(true, null), rules().build());
            p.on(new Event.Start());
            p.on(new Event.Stop());
            p.on(new Event.Start());

            Step spawned = p.on(new Event.Spawned(PID, T0));

            assertThat(spawned.status().state()).isEqualTo(RUNNING);
            assertThat(spawned.effects()).contains(new StartLiveness(PID));
        }

        @Test
        void spawnFailedIsFatalWithTheReasonAndNoRestart() {
            Process p = new Process(
                    Status.initial(true, null),
                    rules().policy(Policy.ALWAYS).initialBackoff(Duration.ZERO).build());
            p.on(new Event.Start());

            Step step = p.on(new Event.SpawnFailed(NO_SUCH_FILE, T0, 0.5));

            assertThat(step.status().state()).isEqualTo(FATAL);
            assertThat(step.status().reason()).isEqualTo("no such file: /bin/nope");
            assertThat(step.status().lastEnd()).isEqualTo(new End.NotSpawned(NO_SUCH_FILE));
            assertThat(step.status().pid()).isZero();
            assertThat(step.status().restarts()).isZero();
            assertThat(step.effects()).containsExactly(new Announce("fatal: no such file: /bin/nope"));
        }

        @Test
        void aTemporarySpawnFailureIsRetriedWithBackoffWithinTheBudget() {
            Process p = new Process(
                    Status.initial(true, null),
                    rules().policy(Policy.ALWAYS).maxRestarts(2).build());
            p.on(new Event.Start());

            Step first = p.on(new Event.SpawnFailed(NO_DESCRIPTORS, T0, 0.5));
            assertThat(first.status().state()).isEqualTo(BACKOFF);
            assertThat(first.status().restarts()).isEqualTo(1);
            assertThat(first.status().lastEnd()).isEqualTo(new End.NotSpawned(NO_DESCRIPTORS));
            assertThat(first.effects())
                    .containsExactly(
                            new Announce("cannot create a pipe: Too many open files; restarting in 1s"),
                            new Schedule(
                                    Duration.ofSeconds(1),
                                    new Event.BackoffElapsed(
                                            first.status().budget().timerToken())));
            p.on(new Event.BackoffElapsed(first.status().budget().timerToken()));
            p.on(new Event.SpawnFailed(NO_DESCRIPTORS, T0 + 1_000, 0.5));
            Step again = p.on(new Event.BackoffElapsed(p.status.budget().timerToken()));
            Step last = p.on(new Event.SpawnFailed(NO_DESCRIPTORS, T0 + 3_000, 0.5));

            assertThat(again.status().state()).isEqualTo(STARTING);
            assertThat(last.status().state()).isEqualTo(FATAL);
            assertThat(last.status().reason()).contains("Too many open files").contains("max_restarts 2");
        }

        @Test
        void aTemporarySpawnFailureIsRetriedEvenWithRestartNo() {
            // A temporary spawn failure is retried whatever the policy: the process never ran.
            Process p = new Process(
                    Status.initial(true, null), rules().policy(Policy.NO).build());
            p.on(new Event.Start());

            Step failed = p.on(new Event.SpawnFailed(NO_DESCRIPTORS, T0, 0.5));

            assertThat(failed.status().state()).isEqualTo(BACKOFF);
            assertThat(failed.status().restarts()).isEqualTo(1);
            assertThat(failed.effects())
                    .contains(new Announce("cannot create a pipe: Too many open files; restarting in 1s"));
        }

        @Test
        void aStopWhileStartingFollowedByATemporarySpawnFailureEndsStopped() {
            // Stopped while it was being spawned, and the spawn failed for a reason that would be
            // retried: it ends as asked, stopped, not fatal and not retried.
            Process p = new Process(Status.initial(true, null), rules().build());
            p.on(new Event.Start());
            p.on(new Event.Stop());

            Step failed = p.on(new Event.SpawnFailed(NO_DESCRIPTORS, T0, 0.5));

            assertThat(failed.status().state()).isEqualTo(STOPPED);
            assertThat(failed.status().goal()).isFalse();
            assertThat(failed.status().pid()).isZero();
            assertThat(failed.status().restarts()).isZero();
            assertThat(failed.status().budget().nextStartAtMillis()).isZero();
            assertThat(failed.status().lastEnd()).isEqualTo(new End.NotSpawned(NO_DESCRIPTORS));
            assertThat(failed.status().reason()).isEqualTo("stopped (cannot create a pipe: Too many open files)");
            assertThat(failed.effects())
                    .containsExactly(
                            new Announce("stopped before it started: cannot create a pipe: Too many open files"));

            Step start = p.on(new Event.Start());
            assertThat(start.status().state()).isEqualTo(STARTING);
            assertThat(start.effects()).containsExactly(new Spawn());
        }

        @Test
        void aStopWhileStartingFollowedByAPermanentSpawnFailureIsStillFatal() {
            // A wrong command stays wrong: fatal, stop or no stop.
            Process p = new Process(Status.initial(true, null), rules().build());
            p.on(new Event.Start());
            p.on(new Event.Stop());

            Step failed = p.on(new Event.SpawnFailed(NO_SUCH_FILE, T0, 0.5));

            assertThat(failed.status().state()).isEqualTo(FATAL);
            assertThat(failed.status().goal()).isFalse();
            assertThat(failed.status().reason()).isEqualTo("no such file: /bin/nope");
            assertThat(failed.effects()).containsExactly(new Announce("fatal: no such file: /bin/nope"));
        }

        @Test
        void startAfterFatalBeginsAFreshRestartBudget() {
            Process p =
                    running(rules().maxRestarts(1).initialBackoff(Duration.ZERO).build());
            p.on(exitFailure(PID, T0 + 1_000));
            p.on(new Event.Spawned(PID + 1, T0 + 1_000));
            assertThat(p.on(exitFailure(PID + 1, T0 + 2_000)).status().state()).isEqualTo(FATAL);

            Step start = p.on(new Event.Start());
            assertThat(start.effects()).containsExactly(new Spawn());
            assertThat(start.status().budget().recent()).isEmpty();
            assertThat(start.status().budget().attempt()).isZero();
            assertThat(start.status().budget().failedStarts()).isZero();
            p.on(new Event.Spawned(PID + 2, T0 + 3_000));
            Step exit = p.on(exitFailure(PID + 2, T0 + 4_000));

            assertThat(exit.status().state()).isEqualTo(STARTING);
            assertThat(exit.status().restarts())
                    .as("the count of restarts goes on")
                    .isEqualTo(2);
        }

        @Test
        void startAfterExitedBeginsAFreshRestartBudget() {
            Process p = running(rules().policy(Policy.ON_FAILURE).build());
            failQuickly(p, 3);
            Step exited = p.on(new Event.Exited(p.status.pid(), EXIT_0, p.status.startedAtMillis() + 100, 0.5));
            assertThat(exited.status().state()).isEqualTo(EXITED);
            assertThat(exited.status().budget().attempt()).isEqualTo(3);

            Step start = p.on(new Event.Start());

            assertThat(start.status().state()).isEqualTo(STARTING);
            assertThat(start.status().budget())
                    .isEqualTo(new RestartBudget(
                            3, List.of(), 0, 0, exited.status().budget().timerToken(), 0));
        }
    }

    @Nested
    class BecomingReady {
        @Test
        void withoutAProbeAndZeroMinUptimeItIsReadyAtOnceAndItsLivenessStarts() {
            Process p = new Process(
                    Status.initial(true, null), rules().minUptime(Duration.ZERO).build());
            p.on(new Event.Start());

            Step step = p.on(new Event.Spawned(PID, T0));

            assertThat(step.status().state()).isEqualTo(RUNNING);
            assertThat(step.status().readiness()).isEqualTo(new Readiness(Health.READY, T0));
            assertThat(step.status().run()).isEqualTo(new Run(PID, T0, true, T0, true, null));
            assertThat(step.status().serving()).isTrue();
            assertThat(step.effects()).containsExactly(new StartLiveness(PID), new Announce("started (pid 42)"));
        }

        @Test
        void aNotifyChildIsNotReadyAtSpawnEvenWithZeroMinUptimeAndNoLivenessStartsYet() {
            Process p = new Process(
                    Status.initial(true, null),
                    rules().minUptime(Duration.ZERO).notifies().build());
            p.on(new Event.Start());

            Step step = p.on(new Event.Spawned(PID, T0));

            assertThat(step.status().state()).isEqualTo(RUNNING);
            assertThat(step.status().health()).isEqualTo(Health.UNKNOWN);
            assertThat(step.status().serving()).isFalse();
            assertThat(step.effects()).containsExactly(new Announce("started (pid 42)"));
            assertThat(p.on(new Event.UptimeReached(PID, T1)).status().health())
                    .as("min_uptime does not make a notify child ready")
                    .isEqualTo(Health.UNKNOWN);
        }

        @Test
        void aNotifyChildIsReadyOnItsReadyMessageAndThenItsLivenessStarts() {
            Process p = new Process(
                    Status.initial(true, null),
                    rules().minUptime(Duration.ofSeconds(1)).notifies().build());
            p.on(new Event.Start());
            p.on(new Event.Spawned(PID, T0));

            Step ready = p.on(new Event.ReadinessChanged(PID, true, "READY=1", T1));

            assertThat(ready.status().serving()).isTrue();
            assertThat(ready.effects()).containsExactly(new Announce("ready"), new StartLiveness(PID));
        }

        @Test
        void aMissedWatchdogStopsTheChildAndItsEndIsCountedAsAWatchdogFailure() {
            Process p = new Process(
                    Status.initial(true, null),
                    rules().policy(Policy.ALWAYS).notifies().build());
            p.on(new Event.Start());
            p.on(new Event.Spawned(PID, T0));
            p.on(new Event.ReadinessChanged(PID, true, "READY=1", T0));
            Failure missed = new Failure.Watchdog(Duration.ofSeconds(10), false);

            Step failing = p.on(new Event.Failing(PID, missed, T1));
            assertThat(failing.status().state()).isEqualTo(STOPPING);
            assertThat(failing.status().reason()).isEqualTo("watchdog timeout (no WATCHDOG=1 for 10s)");

            Step stopped = p.on(new Event.Stopped(PID, STOPPED_BY_TERM, T1 + 10, 0.5));
            assertThat(stopped.status().state()).isEqualTo(BACKOFF);
            assertThat(stopped.status().restarts()).isEqualTo(1);
            assertThat(stopped.status().lastEnd().kind()).isEqualTo(End.Kind.WATCHDOG);
            assertThat(new Failure.Watchdog(Duration.ofSeconds(10), true).describe())
                    .isEqualTo("watchdog triggered (WATCHDOG=trigger)");
        }

        @Test
        void withoutAProbeItIsReadyOnlyAfterMinUptime() {
            Process p = new Process(
                    Status.initial(true, null),
                    rules().minUptime(Duration.ofSeconds(2)).build());
            p.on(new Event.Start());

            Step spawned = p.on(new Event.Spawned(PID, T0));
            assertThat(spawned.status().state()).isEqualTo(RUNNING);
            assertThat(spawned.status().health()).isEqualTo(Health.UNKNOWN);
            assertThat(spawned.status().run().becameReady()).isFalse();
            assertThat(spawned.status().serving()).isFalse();
            assertThat(spawned.effects())
                    .containsExactly(
                            new Schedule(Duration.ofSeconds(2), new Event.UptimeReached(PID, T0 + 2_000)),
                            new Announce("started (pid 42)"));

            Step uptime = p.on(new Event.UptimeReached(PID, T0 + 2_000));
            assertThat(uptime.status().readiness()).isEqualTo(new Readiness(Health.READY, T0 + 2_000));
            assertThat(uptime.status().run()).isEqualTo(new Run(PID, T0, true, T0 + 2_000, true, null));
            assertThat(uptime.status().serving()).isTrue();
            // Ready by uptime is announced like a probe's ready, with the min_uptime it waited for.
            assertThat(uptime.effects()).containsExactly(new Announce("ready (up for 2s)"), new StartLiveness(PID));
        }

        @ParameterizedTest(name = "min_uptime {0}ms → \"{1}\"")
        @CsvSource({
            "500, ready (up for 500ms)",
            "1000, ready (up for 1s)",
            "1500, ready (up for 1.5s)",
            "60000, ready (up for 60s)"
        })
        void readyByUptimeIsAnnouncedWithTheMinUptime(long millis, String announcement) {
            Process p = running(rules().minUptime(Duration.ofMillis(millis)).build());

            Step uptime = p.on(new Event.UptimeReached(PID, T0 + millis));

            assertThat(uptime.effects()).containsExactly(new Announce(announcement), new StartLiveness(PID));
        }

        @Test
        void theUptimeOfAnEarlierChildDoesNotMakeTheNewOneReady() {
            Process p = running(rules().minUptime(Duration.ofSeconds(1))
                    .initialBackoff(Duration.ZERO)
                    .build());
            p.on(exitFailure(PID, T0 + 500));
            p.on(new Event.Spawned(PID + 1, T0 + 600));

            Step late = p.on(new Event.UptimeReached(PID, T0 + 1_000));

            assertThat(late.status().health()).isEqualTo(Health.UNKNOWN);
            assertThat(late.effects()).isEmpty();
        }

        @Test
        void withAProbeOnlyTheProbeMakesItReadyAndMinUptimeIsNotWaitedFor() {
            Process p = new Process(
                    Status.initial(true, null),
                    rules().readinessProbe().minUptime(Duration.ofSeconds(1)).build());
            p.on(new Event.Start());

            Step spawned = p.on(new Event.Spawned(PID, T0));
            assertThat(spawned.status().health()).isEqualTo(Health.UNKNOWN);
            assertThat(spawned.effects()).containsExactly(new StartReadiness(PID), new Announce("started (pid 42)"));

            Step uptime = p.on(new Event.UptimeReached(PID, T0 + 1_000));
            assertThat(uptime.status()).isEqualTo(spawned.status());
            assertThat(uptime.effects()).isEmpty();

            Step ready = p.on(new Event.ReadinessChanged(PID, true, "HTTP 200", T1));
            assertThat(ready.status().readiness()).isEqualTo(new Readiness(Health.READY, T1));
            assertThat(ready.effects()).containsExactly(new Announce("ready"), new StartLiveness(PID));
        }

        @Test
        void readinessFailureOnlyChangesHealthAndLivenessStartsOncePerRun() {
            Process p = running(rules().readinessProbe().build());
            p.on(new Event.ReadinessChanged(PID, true, "HTTP 200", T0));

            Step failed = p.on(new Event.ReadinessChanged(PID, false, "HTTP 503", T1));
            assertThat(failed.status().state()).isEqualTo(RUNNING);
            assertThat(failed.status().pid()).isEqualTo(PID);
            assertThat(failed.status().readiness()).isEqualTo(new Readiness(Health.NOT_READY, 0));
            assertThat(failed.status().reason()).isEqualTo("HTTP 503");
            assertThat(failed.status().run().becameReady())
                    .as("it was ready once in this run")
                    .isTrue();
            assertThat(failed.status().run().healthySinceMillis())
                    .as("no longer healthy")
                    .isZero();
            assertThat(failed.effects()).containsExactly(new Announce("not ready: HTTP 503"));

            Step again = p.on(new Event.ReadinessChanged(PID, false, "HTTP 503", T1 + 1));
            assertThat(again.status()).isEqualTo(failed.status());
            assertThat(again.effects()).isEmpty();

            Step recovered = p.on(new Event.ReadinessChanged(PID, true, "HTTP 200", T1 + 2));
            assertThat(recovered.status().readiness()).isEqualTo(new Readiness(Health.READY, T1 + 2));
            assertThat(recovered.status().run().healthySinceMillis())
                    .as("healthy again from now")
                    .isEqualTo(T1 + 2);
            assertThat(recovered.effects()).as("liveness already runs").containsExactly(new Announce("ready"));

            Step stillReady = p.on(new Event.ReadinessChanged(PID, true, "HTTP 200", T1 + 3));
            assertThat(stillReady.status()).isEqualTo(recovered.status());
            assertThat(stillReady.effects()).isEmpty();
        }

        @Test
        void livenessStartsAgainForEachNewRun() {
            Process p = running(
                    rules().readinessProbe().initialBackoff(Duration.ZERO).build());
            assertThat(p.on(new Event.ReadinessChanged(PID, true, "ok", T0)).effects())
                    .contains(new StartLiveness(PID));
            p.on(exitFailure(PID, T1));

            Step spawned = p.on(new Event.Spawned(PID + 1, T1));
            assertThat(spawned.status().run()).isEqualTo(Run.of(PID + 1, T1));
            Step ready = p.on(new Event.ReadinessChanged(PID + 1, true, "ok", T1 + 10));

            assertThat(ready.effects()).containsExactly(new Announce("ready"), new StartLiveness(PID + 1));
        }

        @Test
        void withAStartPeriodLivenessStartsWhenThePeriodEndsBeforeTheFirstReady() {
            Process p = new Process(
                    Status.initial(true, null),
                    rules().readinessProbe().startPeriod(Duration.ofSeconds(30)).build());
            p.on(new Event.Start());

            Step spawned = p.on(new Event.Spawned(PID, T0));
            assertThat(spawned.effects())
                    .containsExactly(
                            new StartReadiness(PID),
                            new Schedule(Duration.ofSeconds(30), new Event.StartPeriodElapsed(PID)),
                            new Announce("started (pid 42)"));

            Step period = p.on(new Event.StartPeriodElapsed(PID));
            assertThat(period.status().run()).isEqualTo(new Run(PID, T0, false, 0, true, null));
            assertThat(period.status().health())
                    .as("watched, but still not ready")
                    .isEqualTo(Health.UNKNOWN);
            assertThat(period.effects()).containsExactly(new StartLiveness(PID));

            Step ready = p.on(new Event.ReadinessChanged(PID, true, "HTTP 200", T0 + 40_000));
            assertThat(ready.status().run()).isEqualTo(new Run(PID, T0, true, T0 + 40_000, true, null));
            assertThat(ready.effects()).as("no second StartLiveness").containsExactly(new Announce("ready"));
        }

        @Test
        void withAStartPeriodAFirstReadyBeforeThePeriodEndsStartsLivenessAndThePeriodChangesNothing() {
            Process p = new Process(
                    Status.initial(true, null),
                    rules().readinessProbe().startPeriod(Duration.ofSeconds(30)).build());
            p.on(new Event.Start());
            p.on(new Event.Spawned(PID, T0));

            Step ready = p.on(new Event.ReadinessChanged(PID, true, "HTTP 200", T0 + 2_000));
            assertThat(ready.effects()).containsExactly(new Announce("ready"), new StartLiveness(PID));

            Step period = p.on(new Event.StartPeriodElapsed(PID));
            assertThat(period.status()).isEqualTo(ready.status());
            assertThat(period.effects()).isEmpty();
        }

        @Test
        void withoutAStartPeriodLivenessWaitsForTheFirstReady() {
            Process p = new Process(
                    Status.initial(true, null),
                    rules().minUptime(Duration.ofSeconds(1)).build());
            p.on(new Event.Start());

            Step spawned = p.on(new Event.Spawned(PID, T0));

            assertThat(spawned.effects()).doesNotHaveAnyElementsOfTypes(StartLiveness.class);
            assertThat(spawned.effects())
                    .noneMatch(e -> e instanceof Schedule s && s.event() instanceof Event.StartPeriodElapsed);
            assertThat(spawned.status().run().livenessWatched()).isFalse();
        }

        @Test
        void aChildThatIsReadyAtOnceNeedsNoStartPeriodTimer() {
            Process p = new Process(
                    Status.initial(true, null),
                    rules().minUptime(Duration.ZERO)
                            .startPeriod(Duration.ofSeconds(30))
                            .build());
            p.on(new Event.Start());

            Step spawned = p.on(new Event.Spawned(PID, T0));

            assertThat(spawned.effects()).containsExactly(new StartLiveness(PID), new Announce("started (pid 42)"));
        }

        @Test
        void theStartPeriodOfAnEarlierChildIsIgnored() {
            Process p = running(rules().readinessProbe()
                    .startPeriod(Duration.ofSeconds(5))
                    .initialBackoff(Duration.ZERO)
                    .build());
            p.on(exitFailure(PID, T0 + 100));
            p.on(new Event.Spawned(PID + 1, T0 + 200));

            Step late = p.on(new Event.StartPeriodElapsed(PID));

            assertThat(late.status().run().livenessWatched()).isFalse();
            assertThat(late.effects()).isEmpty();
        }
    }

    @Nested
    class Exiting {
        @ParameterizedTest(name = "{0}, exit code {1} → restarts={2}")
        @CsvSource({
            "ALWAYS,     0, true",
            "ALWAYS,     3, true",
            "ON_FAILURE, 0, false",
            "ON_FAILURE, 3, true",
            "NO,         0, false",
            "NO,         3, false",
        })
        void exitRestartsOnlyAsThePolicySays(Policy policy, int code, boolean restarts) {
            Process p = running(rules().policy(policy).build());

            Step step = p.on(new Event.Exited(PID, Termination.exited(code), T1, 0.5));

            Status s = step.status();
            assertThat(s.pid()).isZero();
            assertThat(s.run()).isEqualTo(Run.NONE);
            assertThat(s.health()).isEqualTo(Health.UNKNOWN);
            assertThat(s.lastEnd()).isEqualTo(new End.Exited(Termination.exited(code)));
            assertThat(types(step)).startsWith(StopProbes.class, CleanUpExited.class);
            if (restarts) {
                assertThat(s.state()).isEqualTo(BACKOFF);
                assertThat(s.restarts()).isEqualTo(1);
                assertThat(s.completed()).isFalse();
                assertThat(types(step)).contains(Schedule.class);
            } else {
                assertThat(s.state()).isEqualTo(EXITED);
                assertThat(s.restarts()).isZero();
                assertThat(s.completed()).isEqualTo(code == 0);
                assertThat(types(step)).doesNotContain(Schedule.class, Spawn.class);
                assertThat(s.reason()).isEqualTo("exited (exit code " + code + ")");
            }
        }

        @Test
        void onFailureRestartsAChildKilledByASignal() {
            Process p = running(rules().policy(Policy.ON_FAILURE).build());

            Step step = p.on(new Event.Exited(PID, Termination.killed(11, "SIGSEGV", true), T1, 0.5));

            assertThat(step.status().state()).isEqualTo(BACKOFF);
            assertThat(step.status().reason()).isEqualTo("exited (killed by SIGSEGV (core dumped))");
        }

        @Test
        void zeroInitialBackoffRestartsAtOnce() {
            Process p = running(rules().initialBackoff(Duration.ZERO).build());

            Step step = p.on(exitFailure(PID, T1));

            assertThat(step.status().state()).isEqualTo(STARTING);
            assertThat(step.status().pid()).isZero();
            assertThat(step.status().restarts()).isEqualTo(1);
            assertThat(step.status().budget().nextStartAtMillis()).isZero();
            assertThat(step.effects())
                    .containsExactly(
                            new StopProbes(),
                            new CleanUpExited(),
                            new Announce("exited (exit code 1); restarting"),
                            new Spawn());
        }

        @Test
        void immediateRestartStillWaitsForUnmetDependencies() {
            Process p = running(rules().initialBackoff(Duration.ZERO).build());
            p.on(new Event.DependenciesChanged(false, "db to be healthy"));

            Step step = p.on(exitFailure(PID, T1));

            assertThat(step.status().state()).isEqualTo(STOPPED);
            assertThat(step.status().goal()).isTrue();
            assertThat(step.effects())
                    .doesNotContain(new Spawn())
                    .contains(new Announce("waiting for db to be healthy"));
        }

        @Test
        void restartAfterBackoffWaitsForUnmetDependencies() {
            Process p = running(rules().build());
            p.on(new Event.DependenciesChanged(false, "db to be healthy"));
            Event timer = only(p.on(exitFailure(PID, T1)), Schedule.class).event();

            Step elapsed = p.on(timer);
            assertThat(elapsed.status().state()).isEqualTo(STOPPED);
            assertThat(elapsed.status().goal()).isTrue();
            assertThat(elapsed.status().budget().nextStartAtMillis()).isZero();
            assertThat(elapsed.effects()).containsExactly(new Announce("waiting for db to be healthy"));

            Step met = p.on(new Event.DependenciesChanged(true, null));
            assertThat(met.status().state()).isEqualTo(STARTING);
            assertThat(met.effects()).containsExactly(new Spawn());
        }

        @Test
        void backoffSchedulesItsTimerWithTheCurrentTokenAndSaysWhenItEnds() {
            Process p = running(rules().build());
            Step exit = p.on(exitFailure(PID, T1));
            Schedule timer = only(exit, Schedule.class);
            assertThat(timer)
                    .isEqualTo(new Schedule(
                            Duration.ofSeconds(1),
                            new Event.BackoffElapsed(exit.status().budget().timerToken())));
            assertThat(exit.status().budget().nextStartAtMillis()).isEqualTo(T1 + 1_000);

            Step elapsed = p.on(timer.event());

            assertThat(elapsed.status().state()).isEqualTo(STARTING);
            assertThat(elapsed.status().budget().nextStartAtMillis()).isZero();
            assertThat(elapsed.effects()).containsExactly(new Spawn());
        }

        @Test
        void backoffGrowsWithConsecutiveFailuresUpToTheMax() {
            RestartRules rules = rules().initialBackoff(Duration.ofSeconds(1))
                    .multiplier(2)
                    .maxBackoff(Duration.ofSeconds(5))
                    .build();
            Process p = running(rules);

            List<Duration> delays = failQuickly(p, 6);

            assertThat(delays)
                    .containsExactly(
                            Duration.ofSeconds(1),
                            Duration.ofSeconds(2),
                            Duration.ofSeconds(4),
                            Duration.ofSeconds(5),
                            Duration.ofSeconds(5),
                            Duration.ofSeconds(5));
            assertThat(p.status.restarts()).isEqualTo(6);
        }

        @ParameterizedTest(name = "jitter {0} → {1}ms")
        @CsvSource({"0.0, 900", "0.25, 950", "0.5, 1000", "0.75, 1050", "0.99, 1098"})
        void jitterSpreadsTheDelayByTenPercent(double jitter, long millis) {
            Process p = running(rules().initialBackoff(Duration.ofSeconds(1)).build());

            Step step = p.on(new Event.Exited(PID, EXIT_1, T1, jitter));

            assertThat(only(step, Schedule.class).delay()).isEqualTo(Duration.ofMillis(millis));
            assertThat(step.status().budget().nextStartAtMillis()).isEqualTo(T1 + millis);
        }

        @Test
        void jitterSpreadsAroundTheCappedDelay() {
            RestartRules rules = rules().initialBackoff(Duration.ofSeconds(10))
                    .maxBackoff(Duration.ofSeconds(4))
                    .build();

            Step middle = running(rules).on(new Event.Exited(PID, EXIT_1, T1, 0.5));
            Step low = running(rules).on(new Event.Exited(PID, EXIT_1, T1, 0.0));

            assertThat(only(middle, Schedule.class).delay()).isEqualTo(Duration.ofSeconds(4));
            assertThat(only(low, Schedule.class).delay()).isEqualTo(Duration.ofMillis(3_600));
        }

        @ParameterizedTest(name = "{0}, jitter {1} → {2}ms")
        @CsvSource({
            "exit,     0.0,  900",
            "exit,     0.99, 1098",
            "liveness, 0.0,  900",
            "liveness, 0.99, 1098",
            "limit,    0.25, 950",
            "spawn,    0.0,  900",
            "spawn,    0.99, 1098",
        })
        void everyAutomaticRestartIsJitteredTheSameWay(String cause, double jitter, long millis) {
            // A crash, a failing child's stop and a temporary spawn failure: each carries its own jitter.
            RestartRules rules = rules().initialBackoff(Duration.ofSeconds(1)).build();
            Step step = switch (cause) {
                case "exit" -> running(rules).on(new Event.Exited(PID, EXIT_1, T1, jitter));
                case "liveness", "limit" -> {
                    Process p = running(rules);
                    p.on(new Event.Failing(PID, cause.equals("limit") ? OVER_CPU : NO_ANSWER, T1));
                    yield p.on(new Event.Stopped(PID, STOPPED_BY_TERM, T1, jitter));
                }
                case "spawn" -> {
                    Process p = new Process(Status.initial(true, null), rules);
                    p.on(new Event.Start());
                    yield p.on(new Event.SpawnFailed(NO_DESCRIPTORS, T1, jitter));
                }
                default -> throw new AssertionError(cause);
            };

            assertThat(step.status().state()).isEqualTo(BACKOFF);
            assertThat(only(step, Schedule.class).delay()).isEqualTo(Duration.ofMillis(millis));
            assertThat(step.status().budget().nextStartAtMillis()).isEqualTo(T1 + millis);
        }

        @Test
        void backoffResetsAfterAHealthyRunOfResetAfter() {
            RestartRules rules = rules().initialBackoff(Duration.ofSeconds(1))
                    .multiplier(2)
                    .resetAfter(Duration.ofSeconds(10))
                    .build();
            Process p = running(rules);
            assertThat(failQuickly(p, 3))
                    .containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4));

            long spawnedAt = p.status.startedAtMillis();
            Step exit = p.on(exitFailure(p.status.pid(), spawnedAt + 10_000));

            assertThat(only(exit, Schedule.class).delay()).isEqualTo(Duration.ofSeconds(1));
            assertThat(exit.status().budget().attempt()).isEqualTo(1);
            assertThat(exit.status().restarts()).isEqualTo(4);
        }

        @Test
        void aHealthyRunShorterThanResetAfterKeepsTheBackoffGrowing() {
            RestartRules rules = rules().initialBackoff(Duration.ofSeconds(1))
                    .multiplier(2)
                    .resetAfter(Duration.ofSeconds(10))
                    .build();
            Process p = running(rules);
            failQuickly(p, 3);

            long spawnedAt = p.status.startedAtMillis();
            Step exit = p.on(exitFailure(p.status.pid(), spawnedAt + 9_999));

            assertThat(only(exit, Schedule.class).delay()).isEqualTo(Duration.ofSeconds(8));
        }

        @Test
        void healthyTimeCountsFromReadinessNotFromSpawn() {
            RestartRules rules = rules().readinessProbe()
                    .initialBackoff(Duration.ofSeconds(1))
                    .multiplier(2)
                    .resetAfter(Duration.ofSeconds(10))
                    .build();
            Process p = running(rules);
            p.on(new Event.ReadinessChanged(PID, true, "ok", T0));
            failQuickly(p, 2);

            long spawnedAt = p.status.startedAtMillis();
            int pid = p.status.pid();
            p.on(new Event.ReadinessChanged(pid, true, "ok", spawnedAt + 8_000));
            Step exit = p.on(exitFailure(pid, spawnedAt + 12_000));

            // Running for 12s but ready for only 4s: not a healthy run, the backoff keeps growing.
            assertThat(only(exit, Schedule.class).delay()).isEqualTo(Duration.ofSeconds(4));
        }

        @Test
        void withoutAProbeHealthyTimeCountsFromMinUptime() {
            RestartRules rules = rules().minUptime(Duration.ofSeconds(5))
                    .initialBackoff(Duration.ofSeconds(1))
                    .multiplier(2)
                    .resetAfter(Duration.ofSeconds(10))
                    .build();
            Process p = running(rules);
            p.on(new Event.UptimeReached(PID, T0 + 5_000));
            Step first = p.on(exitFailure(PID, T0 + 6_000));
            p.on(only(first, Schedule.class).event());
            p.on(new Event.Spawned(PID + 1, T0 + 7_000));
            p.on(new Event.UptimeReached(PID + 1, T0 + 12_000));

            // Up for 12s, but ready (past min_uptime) for only 7s: the backoff keeps growing.
            Step exit = p.on(exitFailure(PID + 1, T0 + 19_000));

            assertThat(only(exit, Schedule.class).delay()).isEqualTo(Duration.ofSeconds(2));
        }

        @Test
        void aNotReadySpellStartsTheHealthyTimeAgain() {
            RestartRules rules = rules().readinessProbe()
                    .initialBackoff(Duration.ofSeconds(1))
                    .multiplier(2)
                    .resetAfter(Duration.ofSeconds(10))
                    .build();
            Process p = running(rules);
            failQuickly(p, 2);
            long spawnedAt = p.status.startedAtMillis();
            int pid = p.status.pid();
            p.on(new Event.ReadinessChanged(pid, true, "ok", spawnedAt + 1_000));
            p.on(new Event.ReadinessChanged(pid, false, "HTTP 503", spawnedAt + 9_000));
            p.on(new Event.ReadinessChanged(pid, true, "ok", spawnedAt + 10_000));

            // Ready for 13s in all, but only 5s without a break: the backoff keeps growing.
            Step exit = p.on(exitFailure(pid, spawnedAt + 15_000));

            assertThat(only(exit, Schedule.class).delay()).isEqualTo(Duration.ofSeconds(4));
        }

        @Test
        void tooManyRestartsWithinTheWindowIsFatal() {
            RestartRules rules = rules().maxRestarts(3)
                    .window(Duration.ofSeconds(60))
                    .initialBackoff(Duration.ZERO)
                    .build();
            Process p = running(rules);
            int pid = PID;
            for (int i = 1; i <= 3; i++) {
                Step exit = p.on(exitFailure(pid, T0 + i * 1_000L));
                assertThat(exit.status().state()).as("exit %d", i).isEqualTo(STARTING);
                p.on(new Event.Spawned(++pid, T0 + i * 1_000L));
            }

            Step fatal = p.on(exitFailure(pid, T0 + 4_000));

            String reason = "exited (exit code 1); restarted 3 times within 60s (max_restarts 3), giving up";
            assertThat(fatal.status().state()).isEqualTo(FATAL);
            assertThat(fatal.status().reason()).isEqualTo(reason);
            assertThat(fatal.status().restarts()).isEqualTo(3);
            assertThat(fatal.status().pid()).isZero();
            assertThat(fatal.status().budget().nextStartAtMillis()).isZero();
            assertThat(fatal.status().lastEnd()).isEqualTo(new End.Exited(EXIT_1));
            assertThat(fatal.effects())
                    .containsExactly(new StopProbes(), new CleanUpExited(), new Announce("fatal: " + reason));
        }

        @Test
        void restartsOlderThanTheWindowDoNotCount() {
            RestartRules rules = rules().maxRestarts(2)
                    .window(Duration.ofSeconds(10))
                    .initialBackoff(Duration.ZERO)
                    .build();
            Process p = running(rules);
            long[] exits = {T0 + 1_000, T0 + 2_000, T0 + 30_000, T0 + 31_000};
            int pid = PID;
            for (long at : exits) {
                Step exit = p.on(exitFailure(pid, at));
                assertThat(exit.status().state()).as("exit at +%dms", at - T0).isEqualTo(STARTING);
                p.on(new Event.Spawned(++pid, at));
            }

            Step fatal = p.on(exitFailure(pid, T0 + 32_000));

            assertThat(fatal.status().state()).isEqualTo(FATAL);
            assertThat(fatal.status().reason()).contains("restarted 2 times within 10s", "max_restarts 2");
        }

        @Test
        void maxRestartsZeroMeansUnlimited() {
            Process p =
                    running(rules().maxRestarts(0).initialBackoff(Duration.ZERO).build());
            int pid = PID;
            for (int i = 1; i <= 200; i++) {
                Step exit = p.on(exitFailure(pid, T0 + i));
                assertThat(exit.status().state()).as("exit %d", i).isEqualTo(STARTING);
                p.on(new Event.Spawned(++pid, T0 + i));
            }
            assertThat(p.status.restarts()).isEqualTo(200);
        }
    }

    @Nested
    class FailedStarts {
        @Test
        void aRunThatEndsBeforeItWasReadyIsAFailedStart() {
            Process p = running(rules().minUptime(Duration.ofSeconds(1)).build());

            Step exit = p.on(exitFailure(PID, T0 + 500));

            assertThat(exit.status().budget().failedStarts()).isEqualTo(1);
        }

        @Test
        void aRunThatWasReadyIsNotAFailedStartAndClearsTheCount() {
            Process p = running(rules().minUptime(Duration.ofSeconds(1))
                    .initialBackoff(Duration.ZERO)
                    .build());
            p.on(exitFailure(PID, T0 + 500));
            p.on(new Event.Spawned(PID + 1, T0 + 600));
            assertThat(p.on(exitFailure(PID + 1, T0 + 900)).status().budget().failedStarts())
                    .isEqualTo(2);
            p.on(new Event.Spawned(PID + 2, T0 + 1_000));

            Step ready = p.on(new Event.UptimeReached(PID + 2, T0 + 2_000));
            assertThat(ready.status().budget().failedStarts())
                    .as("forgiven as soon as it is ready")
                    .isZero();

            Step exit = p.on(exitFailure(PID + 2, T0 + 3_000));
            assertThat(exit.status().budget().failedStarts()).isZero();
        }

        @Test
        void moreThanMaxRestartsFailedStartsInARowIsFatalEvenWhenTheWindowRuleIsNotReached() {
            // A 1s window never holds more than one restart here: only the failed starts can give up.
            RestartRules rules = rules().maxRestarts(3)
                    .window(Duration.ofSeconds(1))
                    .minUptime(Duration.ofSeconds(1))
                    .initialBackoff(Duration.ZERO)
                    .build();
            Process p = running(rules);
            int pid = PID;
            long now = T0;
            for (int i = 1; i <= 3; i++) {
                now += 2_000;
                Step exit = p.on(exitFailure(pid, now));
                assertThat(exit.status().state()).as("failed start %d", i).isEqualTo(STARTING);
                assertThat(exit.status().budget().failedStarts()).isEqualTo(i);
                p.on(new Event.Spawned(++pid, now));
            }

            Step fatal = p.on(exitFailure(pid, now + 500));

            String reason =
                    "exited (exit code 1); it ended before it was ready 4 times in a row (max_restarts 3), giving up";
            assertThat(fatal.status().state()).isEqualTo(FATAL);
            assertThat(fatal.status().reason()).isEqualTo(reason);
            assertThat(fatal.status().budget().failedStarts()).isEqualTo(4);
            assertThat(fatal.status().restarts()).isEqualTo(3);
            assertThat(fatal.effects())
                    .containsExactly(new StopProbes(), new CleanUpExited(), new Announce("fatal: " + reason));
        }

        @Test
        void theDefaultBudgetEndsInFatalForAProcessThatNeverBecomesReady() {
            // The defaults: on-failure, max_restarts 10 in 60s, backoff 1s × 2 up to 30s, reset_after
            // 60s, min_uptime 1s. With that backoff no 60s window ever holds 10 restarts.
            RestartRules rules = Rules.defaults().build();
            Process p = new Process(Status.initial(true, null), rules);
            double[] jitters = {0.13, 0.87, 0.42, 0.66, 0.05, 0.91, 0.37, 0.58, 0.24, 0.79, 0.5};
            long[] nominal = {1, 2, 4, 8, 16, 30, 30, 30, 30, 30};
            long now = T0;
            int pid = 1_000;
            p.on(new Event.Start());
            p.on(new Event.Spawned(pid, now));
            for (int run = 1; run <= 10; run++) {
                now += 200; // it dies 200ms after each spawn, before min_uptime
                Step crash = p.on(new Event.Exited(pid, EXIT_1, now, jitters[run - 1]));
                assertThat(crash.status().state()).as("crash %d", run).isEqualTo(BACKOFF);
                assertThat(crash.status().budget().failedStarts()).isEqualTo(run);
                assertThat(crash.status().budget().recent())
                        .as("restarts within 60s at crash %d", run)
                        .hasSizeLessThan(rules.maxRestarts());
                Schedule timer = only(crash, Schedule.class);
                assertThat(timer.delay().toMillis())
                        .as("delay %d", run)
                        .isBetween(nominal[run - 1] * 900, nominal[run - 1] * 1_100);
                now += timer.delay().toMillis();
                assertThat(p.on(timer.event()).effects()).containsExactly(new Spawn());
                now += 5;
                p.on(new Event.Spawned(++pid, now));
                assertThat(p.on(new Event.UptimeReached(pid - 1, now)).effects())
                        .as("the dead child's uptime timer")
                        .isEmpty();
            }
            now += 200;

            Step last = p.on(new Event.Exited(pid, EXIT_1, now, jitters[10]));

            String reason =
                    "exited (exit code 1); it ended before it was ready 11 times in a row (max_restarts 10), giving up";
            assertThat(last.status().state()).isEqualTo(FATAL);
            assertThat(last.status().reason()).isEqualTo(reason);
            assertThat(last.status().restarts()).isEqualTo(10);
            assertThat(last.status().budget().recent()).hasSizeLessThan(10);
            assertThat(last.effects())
                    .containsExactly(new StopProbes(), new CleanUpExited(), new Announce("fatal: " + reason));
            assertThat(now - T0).as("about three minutes of retries").isBetween(160_000L, 200_000L);
        }

        @Test
        void maxRestartsZeroAllowsAnyNumberOfFailedStarts() {
            Process p = running(rules().maxRestarts(0)
                    .minUptime(Duration.ofSeconds(1))
                    .initialBackoff(Duration.ZERO)
                    .build());
            int pid = PID;
            for (int i = 1; i <= 50; i++) {
                Step exit = p.on(exitFailure(pid, T0 + i * 2_000L));
                assertThat(exit.status().state()).isEqualTo(STARTING);
                p.on(new Event.Spawned(++pid, T0 + i * 2_000L));
            }
            assertThat(p.status.budget().failedStarts()).isEqualTo(50);
        }

        @Test
        void aLivenessFailureBeforeTheFirstReadyIsAFailedStart() {
            Process p = running(
                    rules().readinessProbe().startPeriod(Duration.ofSeconds(5)).build());
            p.on(new Event.StartPeriodElapsed(PID));
            p.on(new Event.Failing(PID, NO_ANSWER, T0 + 8_000));

            Step stopped = p.on(new Event.Stopped(PID, STOPPED_BY_TERM, T0 + 9_000, 0.5));

            assertThat(stopped.status().state()).isEqualTo(BACKOFF);
            assertThat(stopped.status().budget().failedStarts()).isEqualTo(1);
        }

        @Test
        void aTemporarySpawnFailureIsAFailedStart() {
            Process p = new Process(Status.initial(true, null), rules().build());
            p.on(new Event.Start());

            Step failed = p.on(new Event.SpawnFailed(NO_DESCRIPTORS, T0, 0.5));

            assertThat(failed.status().budget().failedStarts()).isEqualTo(1);
        }

        @Test
        void aChildReadyAtOnceClearsTheCountOfFailedStartsAtItsSpawn() {
            // Ready at its spawn (no probe, min_uptime 0): the failed starts are forgiven right there,
            // as at a probe's first ready or at min_uptime.
            Process p = new Process(
                    Status.initial(true, null), rules().minUptime(Duration.ZERO).build());
            p.on(new Event.Start());
            Step failed = p.on(new Event.SpawnFailed(NO_DESCRIPTORS, T0, 0.5));
            p.on(only(failed, Schedule.class).event());

            Step spawned = p.on(new Event.Spawned(PID, T0 + 1_000));
            assertThat(spawned.status().run().becameReady()).isTrue();
            assertThat(spawned.status().budget().failedStarts()).isZero();

            Step exit = p.on(exitFailure(PID, T0 + 2_000));
            assertThat(exit.status().budget().failedStarts()).isZero();
        }
    }

    @Nested
    class Stopping {
        @Test
        void stopWhileRunningStopsProbesAndTheChild() {
            Process p = running(rules().build());

            Step step = p.on(new Event.Stop());

            assertThat(step.status().state()).isEqualTo(STOPPING);
            assertThat(step.status().goal()).isFalse();
            assertThat(step.status().pid()).isEqualTo(PID);
            assertThat(step.status().health()).isEqualTo(Health.UNKNOWN);
            assertThat(step.effects()).containsExactly(new StopProbes(), new Announce("stopping"), new StopChild());
        }

        @Test
        void exitWhileStoppingDoesNotRestartAndTheStopReportsTheEnd() {
            Process p = running(
                    rules().policy(Policy.ALWAYS).initialBackoff(Duration.ZERO).build());
            Step stop = p.on(new Event.Stop());

            Step exit = p.on(exitFailure(PID, T1));
            assertThat(exit.status()).isEqualTo(stop.status());
            assertThat(exit.effects()).isEmpty();

            StopResult result = new StopResult(EXIT_1, false, null);
            Step stopped = p.on(new Event.Stopped(PID, result, T1, 0.5));
            assertThat(stopped.status().state()).isEqualTo(STOPPED);
            assertThat(stopped.status().pid()).isZero();
            assertThat(stopped.status().health()).isEqualTo(Health.UNKNOWN);
            assertThat(stopped.status().restarts()).isZero();
            assertThat(stopped.status().lastEnd()).isEqualTo(new End.Stopped(result));
            assertThat(stopped.effects()).containsExactly(new Announce("stopped (exit code 1)"));
        }

        @Test
        void aForcedStopSaysTheChildWasKilled() {
            Process p = running(rules().build());
            p.on(new Event.Stop());

            Step stopped = p.on(new Event.Stopped(PID, KILLED_AFTER_TIMEOUT, T1, 0.5));

            assertThat(stopped.status().reason()).isEqualTo("stopped (killed after stop_timeout; killed by SIGKILL)");
            assertThat(stopped.status().lastEnd().forced()).isTrue();
        }

        @Test
        void aStopForcedByTheUserSaysItKilledAtOnceNotAfterStopTimeout() {
            Process p = running(rules().build());
            p.on(new Event.Stop());
            StopResult atOnce = new StopResult(Termination.killed(15, "SIGTERM", false), true, null, true);

            Step stopped = p.on(new Event.Stopped(PID, atOnce, T1, 0.5));

            assertThat(stopped.status().reason()).isEqualTo("stopped (forced stop, killed at once; killed by SIGTERM)");
            assertThat(stopped.status().lastEnd().forced()).isTrue();
        }

        @Test
        void aStopThatCouldNotVerifyTheTreeSaysWhy() {
            Process p = running(rules().build());
            p.on(new Event.Stop());

            Step stopped = p.on(new Event.Stopped(PID, new StopResult(null, true, "the stop failed: EPERM"), T1, 0.5));

            assertThat(stopped.status().reason())
                    .isEqualTo("stopped (killed after stop_timeout; still running; the stop failed: EPERM)");
        }

        @Test
        void restartWhileRunningStopsThenStartsAgain() {
            Process p = running(rules().build());

            Step restart = p.on(new Event.Restart());
            assertThat(restart.status().state()).isEqualTo(STOPPING);
            assertThat(restart.status().goal()).isTrue();
            assertThat(restart.effects())
                    .containsExactly(new StopProbes(), new Announce("restarting"), new StopChild());

            Step stopped = p.on(new Event.Stopped(PID, STOPPED_BY_TERM, T1, 0.5));
            assertThat(stopped.status().state()).isEqualTo(STARTING);
            assertThat(stopped.status().pid()).isZero();
            assertThat(stopped.effects()).containsExactly(new Announce("stopped (killed by SIGTERM)"), new Spawn());
            assertThat(stopped.status().restarts())
                    .as("a user's restart is not an automatic one")
                    .isZero();
        }

        @Test
        void restartWhileStoppingIsRememberedAndStartsAfterStop() {
            Process p = running(rules().build());
            p.on(new Event.Stop());

            Step restart = p.on(new Event.Restart());
            assertThat(restart.status().state()).isEqualTo(STOPPING);
            assertThat(restart.effects()).isEmpty();

            Step stopped = p.on(new Event.Stopped(PID, STOPPED_BY_TERM, T1, 0.5));
            assertThat(stopped.status().state()).isEqualTo(STARTING);
            assertThat(stopped.effects()).contains(new Spawn());
        }

        @Test
        void startWhileStoppingIsRememberedAndStartsAfterStop() {
            Process p = running(rules().build());
            p.on(new Event.Stop());

            Step start = p.on(new Event.Start());
            assertThat(start.status().state()).isEqualTo(STOPPING);
            assertThat(start.effects()).isEmpty();

            Step stopped = p.on(new Event.Stopped(PID, STOPPED_BY_TERM, T1, 0.5));
            assertThat(stopped.status().state()).isEqualTo(STARTING);
            assertThat(stopped.effects()).contains(new Spawn());
        }

        @Test
        void aRestartAfterTheStopStillWaitsForUnmetDependencies() {
            Process p = running(rules().build());
            p.on(new Event.Restart());
            p.on(new Event.DependenciesChanged(false, "db to be healthy"));

            Step stopped = p.on(new Event.Stopped(PID, STOPPED_BY_TERM, T1, 0.5));

            assertThat(stopped.status().state()).isEqualTo(STOPPED);
            assertThat(stopped.status().goal()).isTrue();
            assertThat(stopped.effects())
                    .containsExactly(
                            new Announce("stopped (killed by SIGTERM)"), new Announce("waiting for db to be healthy"));
        }

        @Test
        void stopAfterRestartWhileStoppingWins() {
            Process p = running(rules().build());
            p.on(new Event.Restart());
            p.on(new Event.Stop());

            Step stopped = p.on(new Event.Stopped(PID, STOPPED_BY_TERM, T1, 0.5));

            assertThat(stopped.status().state()).isEqualTo(STOPPED);
            assertThat(types(stopped)).doesNotContain(Spawn.class);
        }

        @Test
        void stopInBackoffStopsAndTheOldTimerIsIgnored() {
            Process p = running(rules().build());
            Event timer = only(p.on(exitFailure(PID, T1)), Schedule.class).event();

            Step stop = p.on(new Event.Stop());
            assertThat(stop.status().state()).isEqualTo(STOPPED);
            assertThat(stop.status().goal()).isFalse();
            assertThat(stop.status().reason()).isEqualTo("stopped");
            assertThat(stop.status().budget().nextStartAtMillis()).isZero();
            assertThat(timer)
                    .isNotEqualTo(
                            new Event.BackoffElapsed(stop.status().budget().timerToken()));
            assertThat(stop.effects()).isEmpty();

            Step elapsed = p.on(timer);
            assertThat(elapsed.status()).isEqualTo(stop.status());
            assertThat(elapsed.effects()).isEmpty();
        }

        @Test
        void startInBackoffSpawnsAtOnceAndTheOldTimerIsIgnoredEvenInALaterBackoff() {
            Process p = running(rules().build());
            Event first = only(p.on(exitFailure(PID, T1)), Schedule.class).event();

            Step start = p.on(new Event.Start());
            assertThat(start.status().state()).isEqualTo(STARTING);
            assertThat(start.status().budget().nextStartAtMillis()).isZero();
            assertThat(start.effects()).containsExactly(new Spawn());

            p.on(new Event.Spawned(PID + 1, T1));
            Event second =
                    only(p.on(exitFailure(PID + 1, T1 + 1_000)), Schedule.class).event();
            assertThat(second).isNotEqualTo(first);

            Step stale = p.on(first);
            assertThat(stale.status().state()).isEqualTo(BACKOFF);
            assertThat(stale.effects()).isEmpty();
        }
    }

    @Nested
    class Draining {
        private final RestartRules drains = rules().drains().build();

        @Test
        void stopOfARunningProcessThatDrainsDrainsItFirst() {
            Process p = running(drains);

            Step stop = p.on(new Event.Stop());

            assertThat(stop.status().state()).isEqualTo(DRAINING);
            assertThat(stop.status().goal()).isFalse();
            assertThat(stop.status().pid()).isEqualTo(PID);
            assertThat(stop.status().health()).isEqualTo(Health.UNKNOWN);
            assertThat(stop.status().serving()).isFalse();
            assertThat(stop.status().settled()).isFalse();
            assertThat(stop.effects())
                    .containsExactly(new StopProbes(), new Announce("stopping: draining first"), new Drain(PID));
        }

        @Test
        void restartOfARunningProcessThatDrainsDrainsItFirst() {
            Process p = running(drains);

            Step restart = p.on(new Event.Restart());

            assertThat(restart.status().state()).isEqualTo(DRAINING);
            assertThat(restart.status().goal()).isTrue();
            assertThat(restart.effects())
                    .containsExactly(new StopProbes(), new Announce("restarting: draining first"), new Drain(PID));
        }

        @Test
        void drainedThenStopsTheChild() {
            Process p = running(drains);
            p.on(new Event.Stop());

            Step drained = p.on(new Event.Drained(PID));
            assertThat(drained.status().state()).isEqualTo(STOPPING);
            assertThat(drained.status().pid()).isEqualTo(PID);
            assertThat(drained.effects())
                    .containsExactly(new StopProbes(), new Announce("drained; stopping"), new StopChild());

            Step stopped = p.on(new Event.Stopped(PID, STOPPED_BY_TERM, T1, 0.5));
            assertThat(stopped.status().state()).isEqualTo(STOPPED);
            assertThat(stopped.status().lastEnd()).isEqualTo(new End.Stopped(STOPPED_BY_TERM));
            assertThat(stopped.effects()).containsExactly(new Announce("stopped (killed by SIGTERM)"));
        }

        @Test
        void aDrainedRestartStartsAgainWithoutCountingARestart() {
            Process p = running(drains);
            p.on(new Event.Restart());

            Step drained = p.on(new Event.Drained(PID));
            assertThat(drained.effects())
                    .containsExactly(new StopProbes(), new Announce("drained; restarting"), new StopChild());

            Step stopped = p.on(new Event.Stopped(PID, STOPPED_BY_TERM, T1, 0.5));
            assertThat(stopped.status().state()).isEqualTo(STARTING);
            assertThat(stopped.status().restarts()).isZero();
            assertThat(stopped.effects()).containsExactly(new Announce("stopped (killed by SIGTERM)"), new Spawn());
        }

        @Test
        void anExitWhileDrainingForAStopEndsStoppedWithoutARestart() {
            Process p = running(rules().drains()
                    .policy(Policy.ALWAYS)
                    .initialBackoff(Duration.ZERO)
                    .build());
            p.on(new Event.Stop());

            Step exit = p.on(exitFailure(PID, T1));

            assertThat(exit.status().state()).isEqualTo(STOPPED);
            assertThat(exit.status().pid()).isZero();
            assertThat(exit.status().restarts()).isZero();
            assertThat(exit.status().lastEnd()).isEqualTo(new End.Exited(EXIT_1));
            assertThat(exit.status().reason()).isEqualTo("exited while draining (exit code 1)");
            assertThat(exit.effects())
                    .containsExactly(
                            new StopProbes(), new CleanUpExited(), new Announce("exited while draining (exit code 1)"));

            Step lateDrained = p.on(new Event.Drained(PID));
            assertThat(lateDrained.status()).isEqualTo(exit.status());
            assertThat(lateDrained.effects()).isEmpty();
        }

        @Test
        void anExitWhileDrainingForARestartStartsAgainAtOnce() {
            Process p = running(rules().drains().policy(Policy.NO).build());
            p.on(new Event.Restart());

            Step exit = p.on(exitFailure(PID, T1));

            assertThat(exit.status().state()).isEqualTo(STARTING);
            assertThat(exit.status().restarts()).as("the user asked for it").isZero();
            assertThat(exit.effects())
                    .containsExactly(
                            new StopProbes(),
                            new CleanUpExited(),
                            new Announce("exited while draining (exit code 1)"),
                            new Spawn());
        }

        @Test
        void anExitWhileDrainingForARestartStillWaitsForUnmetDependencies() {
            Process p = running(drains);
            p.on(new Event.Restart());
            p.on(new Event.DependenciesChanged(false, "db to be healthy"));

            Step exit = p.on(exitFailure(PID, T1));

            assertThat(exit.status().state()).isEqualTo(STOPPED);
            assertThat(exit.status().goal()).isTrue();
            assertThat(exit.effects())
                    .endsWith(new Announce("waiting for db to be healthy"))
                    .doesNotContain(new Spawn());
        }

        @Test
        void aFailingChildIsNeverDrained() {
            Process p = running(drains);

            Step failing = p.on(new Event.Failing(PID, NO_ANSWER, T1));

            assertThat(failing.status().state()).isEqualTo(STOPPING);
            assertThat(failing.effects())
                    .containsExactly(
                            new StopProbes(),
                            new Announce("liveness failed: no answer in 1s; stopping to restart"),
                            new StopChild());
        }

        @Test
        void aStopWhileStartingIsNotDrained() {
            Process p = new Process(Status.initial(true, null), drains);
            p.on(new Event.Start());
            p.on(new Event.Stop());

            Step spawned = p.on(new Event.Spawned(PID, T0));

            assertThat(spawned.status().state()).isEqualTo(STOPPING);
            assertThat(spawned.effects()).containsExactly(new StopProbes(), new Announce("stopping"), new StopChild());
        }

        @Test
        void aStartDuringADrainForAStopRestartsAfterTheStop() {
            Process p = running(drains);
            p.on(new Event.Stop());
            Step start = p.on(new Event.Start());
            assertThat(start.status().state()).isEqualTo(DRAINING);
            assertThat(start.effects()).isEmpty();

            Step drained = p.on(new Event.Drained(PID));
            assertThat(drained.effects()).contains(new Announce("drained; restarting"));
            Step stopped = p.on(new Event.Stopped(PID, STOPPED_BY_TERM, T1, 0.5));

            assertThat(stopped.status().state()).isEqualTo(STARTING);
        }

        @Test
        void aStopDuringADrainForARestartWins() {
            Process p = running(drains);
            p.on(new Event.Restart());
            p.on(new Event.Stop());

            Step drained = p.on(new Event.Drained(PID));
            assertThat(drained.effects()).contains(new Announce("drained; stopping"));
            Step stopped = p.on(new Event.Stopped(PID, STOPPED_BY_TERM, T1, 0.5));

            assertThat(stopped.status().state()).isEqualTo(STOPPED);
            assertThat(types(stopped)).doesNotContain(Spawn.class);
        }

        @Test
        void probeNewsDuringTheDrainChangesNothing() {
            Process p = running(rules().drains()
                    .readinessProbe()
                    .startPeriod(Duration.ofSeconds(5))
                    .minUptime(Duration.ofSeconds(1))
                    .build());
            Step drain = p.on(new Event.Stop());

            for (Event late : List.of(
                    new Event.ReadinessChanged(PID, true, "HTTP 200", T1),
                    new Event.UptimeReached(PID, T1),
                    new Event.StartPeriodElapsed(PID),
                    new Event.BackoffElapsed(0))) {
                Step step = p.on(late);
                assertThat(step.status()).as("%s", late).isEqualTo(drain.status());
                assertThat(step.effects()).as("%s", late).isEmpty();
            }
        }

        @Test
        void aFailureCutsADrainForAStopShort() {
            // A failing child is not left to drain: it is stopped now, and its end is the failure.
            Process p = running(drains);
            p.on(new Event.Stop());

            Step failing = p.on(new Event.Failing(PID, OVER_MEMORY, T1));
            assertThat(failing.status().state()).isEqualTo(STOPPING);
            assertThat(failing.status().goal()).as("still a stop").isFalse();
            assertThat(failing.status().run().failing()).isEqualTo(OVER_MEMORY);
            assertThat(failing.status().reason()).isEqualTo("memory limit: 600MB over 512MB for 3 samples");
            assertThat(failing.effects())
                    .containsExactly(
                            new StopProbes(),
                            new Announce(
                                    "memory limit: 600MB over 512MB for 3 samples; stopping now instead of draining"),
                            new StopChild());

            Step lateDrained = p.on(new Event.Drained(PID));
            assertThat(lateDrained.status()).as("the drain that was cut short").isEqualTo(failing.status());
            assertThat(lateDrained.effects()).isEmpty();

            Step stopped = p.on(new Event.Stopped(PID, STOPPED_BY_TERM, T1 + 100, 0.5));
            assertThat(stopped.status().state()).isEqualTo(STOPPED);
            assertThat(stopped.status().restarts()).isZero();
            assertThat(stopped.status().lastEnd()).isEqualTo(new End.Failed(OVER_MEMORY, STOPPED_BY_TERM));
            assertThat(stopped.effects()).containsExactly(new Announce("stopped (killed by SIGTERM)"));
        }

        @Test
        void aFailureDuringADrainForARestartIsCountedLikeACrash() {
            // The goal stays what the user asked for (run); the end is the failure, so it goes
            // through the restart budget and backoff like a failing child that was not draining.
            Process p = running(drains);
            p.on(new Event.Restart());

            Step failing = p.on(new Event.Failing(PID, NO_ANSWER, T1));
            assertThat(failing.status().state()).isEqualTo(STOPPING);
            assertThat(failing.status().goal()).isTrue();

            Step stopped = p.on(new Event.Stopped(PID, STOPPED_BY_TERM, T1, 0.5));
            assertThat(stopped.status().state()).isEqualTo(BACKOFF);
            assertThat(stopped.status().restarts()).isEqualTo(1);
            assertThat(stopped.status().lastEnd()).isEqualTo(new End.Failed(NO_ANSWER, STOPPED_BY_TERM));
            assertThat(stopped.effects())
                    .containsExactly(
                            new Announce("stopped (killed by SIGTERM)"),
                            new Announce("liveness failed: no answer in 1s; restarting in 1s"),
                            new Schedule(
                                    Duration.ofSeconds(1),
                                    new Event.BackoffElapsed(
                                            stopped.status().budget().timerToken())));
        }

        @Test
        void aChildThatHasNotBeenReadyIsNotDrained() {
            // It was never in rotation, so it has no requests in flight: stopped at once.
            for (RestartRules rules : List.of(
                    rules().drains().readinessProbe().build(),
                    rules().drains().minUptime(Duration.ofSeconds(5)).build())) {
                Process stopping = running(rules);
                assertThat(stopping.status.run().becameReady()).isFalse();
                Step stop = stopping.on(new Event.Stop());
                assertThat(stop.status().state()).as("%s", rules).isEqualTo(STOPPING);
                assertThat(stop.status().goal()).isFalse();
                assertThat(stop.effects()).as("%s", rules).containsExactlyElementsOf(STOP_AT_ONCE);

                Process restarting = running(rules);
                Step restart = restarting.on(new Event.Restart());
                assertThat(restart.status().state()).as("%s", rules).isEqualTo(STOPPING);
                assertThat(restart.status().goal()).isTrue();
                assertThat(restart.effects()).as("%s", rules).containsExactlyElementsOf(RESTART_AT_ONCE);
            }
        }

        @Test
        void aChildThatWasReadyInThisRunIsDrainedEvenWhenItIsNotReadyNow() {
            Process p = running(rules().drains().readinessProbe().build());
            p.on(new Event.ReadinessChanged(PID, true, "HTTP 200", T0 + 1_000));
            p.on(new Event.ReadinessChanged(PID, false, "HTTP 503", T0 + 2_000));

            Step stop = p.on(new Event.Stop());

            assertThat(stop.status().state()).isEqualTo(DRAINING);
            assertThat(stop.effects())
                    .containsExactly(new StopProbes(), new Announce("stopping: draining first"), new Drain(PID));
        }
    }

    @Nested
    class FailingChildren {
        @Test
        void livenessFailureRestartsTheChild() {
            Process p = running(rules().initialBackoff(Duration.ZERO).build());

            Step failed = p.on(new Event.Failing(PID, NO_ANSWER, T1));
            assertThat(failed.status().state()).isEqualTo(STOPPING);
            assertThat(failed.status().goal()).isTrue();
            assertThat(failed.status().run().failing()).isEqualTo(NO_ANSWER);
            // counted when the stop completes, through the same budget as a crash
            assertThat(failed.status().restarts()).isZero();
            assertThat(failed.status().reason()).isEqualTo("liveness failed: no answer in 1s");
            assertThat(failed.effects())
                    .containsExactly(
                            new StopProbes(),
                            new Announce("liveness failed: no answer in 1s; stopping to restart"),
                            new StopChild());

            Step stopped = p.on(new Event.Stopped(PID, STOPPED_BY_TERM, T1, 0.5));
            assertThat(stopped.status().state()).isEqualTo(STARTING);
            assertThat(stopped.status().restarts()).isEqualTo(1);
            assertThat(stopped.status().lastEnd()).isEqualTo(new End.Failed(NO_ANSWER, STOPPED_BY_TERM));
            assertThat(stopped.status().reason()).isEqualTo("liveness failed: no answer in 1s");
            assertThat(stopped.effects())
                    .containsExactly(
                            new Announce("stopped (killed by SIGTERM)"),
                            new Announce("liveness failed: no answer in 1s; restarting"),
                            new Spawn());
        }

        @Test
        void livenessRestartWaitsTheBackoffLikeACrash() {
            Process p = running(rules().build());
            p.on(new Event.Failing(PID, NO_ANSWER, T1));

            Step stopped = p.on(new Event.Stopped(PID, STOPPED_BY_TERM, T1, 0.5));

            assertThat(stopped.status().state()).isEqualTo(BACKOFF);
            assertThat(stopped.status().budget().nextStartAtMillis()).isEqualTo(T1 + 1_000);
            assertThat(stopped.effects())
                    .containsExactly(
                            new Announce("stopped (killed by SIGTERM)"),
                            new Announce("liveness failed: no answer in 1s; restarting in 1s"),
                            new Schedule(
                                    Duration.ofSeconds(1),
                                    new Event.BackoffElapsed(
                                            stopped.status().budget().timerToken())));
        }

        @Test
        void aFailingChildsRestartIsJitteredLikeACrashs() {
            // A failing child's restart is jittered like a crash's, by the jitter its Stopped carries.
            Process p = running(rules().build());
            p.on(new Event.Failing(PID, NO_ANSWER, T1));

            Step stopped = p.on(new Event.Stopped(PID, STOPPED_BY_TERM, T1, 0.0));

            assertThat(only(stopped, Schedule.class).delay()).isEqualTo(Duration.ofMillis(900));
            assertThat(stopped.effects())
                    .contains(new Announce("liveness failed: no answer in 1s; restarting in 900ms"));
        }

        @Test
        void stopAfterALivenessFailureWins() {
            Process p = running(rules().build());
            p.on(new Event.Failing(PID, NO_ANSWER, T1));
            p.on(new Event.Stop());

            Step stopped = p.on(new Event.Stopped(PID, STOPPED_BY_TERM, T1, 0.5));

            assertThat(stopped.status().state()).isEqualTo(STOPPED);
            assertThat(stopped.status().restarts()).isZero();
            assertThat(stopped.status().lastEnd().kind())
                    .as("it still ended for failing")
                    .isEqualTo(End.Kind.LIVENESS);
            assertThat(types(stopped)).doesNotContain(Spawn.class);
        }

        @Test
        void aBrokenLimitRestartsTheChildLikeACrash() {
            Process p = running(rules().build());

            Step failing = p.on(new Event.Failing(PID, OVER_MEMORY, T1));
            assertThat(failing.status().reason()).isEqualTo("memory limit: 600MB over 512MB for 3 samples");
            Step stopped = p.on(new Event.Stopped(PID, STOPPED_BY_TERM, T1, 0.5));

            assertThat(stopped.status().state()).isEqualTo(BACKOFF);
            assertThat(stopped.status().restarts()).isEqualTo(1);
            assertThat(stopped.status().reason()).isEqualTo("memory limit: 600MB over 512MB for 3 samples");
        }

        @Test
        void livenessRestartsCountAgainstMaxRestarts() {
            RestartRules rules = rules().maxRestarts(2)
                    .window(Duration.ofSeconds(60))
                    .initialBackoff(Duration.ZERO)
                    .build();
            Process p = running(rules);
            int pid = PID;
            for (int i = 1; i <= 2; i++) {
                p.on(new Event.Failing(pid, NO_ANSWER, T0 + i * 1_000L));
                p.on(new Event.Stopped(pid, STOPPED_BY_TERM, T0 + i * 1_000L, 0.5));
                p.on(new Event.Spawned(++pid, T0 + i * 1_000L));
            }

            p.on(new Event.Failing(pid, NO_ANSWER, T0 + 3_000));
            Step last = p.on(new Event.Stopped(pid, STOPPED_BY_TERM, T0 + 3_000, 0.5));

            assertThat(last.status().state()).isEqualTo(FATAL);
            assertThat(last.status().reason())
                    .isEqualTo(
                            "liveness failed: no answer in 1s; restarted 2 times within 60s (max_restarts 2), giving up");
            assertThat(types(last)).doesNotContain(Spawn.class);
        }

        @ParameterizedTest(name = "{0}")
        @CsvSource({"LIVENESS", "MEMORY_LIMIT", "CPU_LIMIT"})
        void aFailingChildWithRestartNoEndsExited(End.Kind kind) {
            // With restart: "no" a failing child is stopped and not restarted: it ends exited, with the failure as its
            // reason.
            Failure cause = failureOf(kind);
            Process p = running(rules().policy(Policy.NO).build());
            p.on(new Event.Failing(PID, cause, T1));

            Step stopped = p.on(new Event.Stopped(PID, STOPPED_BY_TERM, T1, 0.5));

            assertThat(stopped.status().state()).isEqualTo(EXITED);
            assertThat(stopped.status().pid()).isZero();
            assertThat(stopped.status().run()).isEqualTo(Run.NONE);
            assertThat(stopped.status().health()).isEqualTo(Health.UNKNOWN);
            assertThat(stopped.status().restarts()).isZero();
            assertThat(stopped.status().reason()).isEqualTo(cause.describe());
            assertThat(stopped.status().lastEnd()).isEqualTo(new End.Failed(cause, STOPPED_BY_TERM));
            assertThat(stopped.status().lastEnd().kind()).isEqualTo(kind);
            assertThat(stopped.status().completed()).isFalse();
            assertThat(stopped.effects())
                    .containsExactly(new Announce("stopped (killed by SIGTERM); not restarted (restart: \"no\")"));

            Step start = p.on(new Event.Start());
            assertThat(start.status().state()).isEqualTo(STARTING);
            assertThat(start.effects()).containsExactly(new Spawn());
        }

        @Test
        void aStopAfterAFailureWithRestartNoEndsStopped() {
            Process p = running(rules().policy(Policy.NO).build());
            p.on(new Event.Failing(PID, NO_ANSWER, T1));
            p.on(new Event.Stop());

            Step stopped = p.on(new Event.Stopped(PID, STOPPED_BY_TERM, T1, 0.5));

            assertThat(stopped.status().state()).isEqualTo(STOPPED);
            assertThat(stopped.status().lastEnd()).isEqualTo(new End.Failed(NO_ANSWER, STOPPED_BY_TERM));
            assertThat(stopped.effects()).containsExactly(new Announce("stopped (killed by SIGTERM)"));
        }

        @Test
        void aLivenessFailureAfterALongHealthyRunResetsTheBackoffLikeACrash() {
            // reset_after counts the run's healthy time, which the stop keeps: a failing child that
            // was healthy for an hour restarts after the initial backoff, like a crash at that moment.
            RestartRules rules = rules().initialBackoff(Duration.ofSeconds(1))
                    .multiplier(2)
                    .resetAfter(Duration.ofSeconds(10))
                    .build();
            Process p = running(rules);
            failQuickly(p, 3);
            long spawnedAt = p.status.startedAtMillis();
            int pid = p.status.pid();
            Step failing = p.on(new Event.Failing(pid, NO_ANSWER, spawnedAt + 3_600_000));
            assertThat(failing.status().run().healthySinceMillis())
                    .as("kept while it stops")
                    .isEqualTo(spawnedAt);

            Step stopped = p.on(new Event.Stopped(pid, STOPPED_BY_TERM, spawnedAt + 3_600_500, 0.5));

            assertThat(only(stopped, Schedule.class).delay()).isEqualTo(Duration.ofSeconds(1));
            assertThat(stopped.status().budget().attempt()).isEqualTo(1);
            Process crashed = running(rules);
            failQuickly(crashed, 3);
            Step crash = crashed.on(exitFailure(crashed.status.pid(), crashed.status.startedAtMillis() + 3_600_000));
            assertThat(only(crash, Schedule.class).delay()).isEqualTo(Duration.ofSeconds(1));
        }

        @Test
        void aFailingChildThatWasNotReadyWhenItFailedKeepsTheBackoffGrowing() {
            // Healthy for an hour, then not ready, then failing: the healthy time ended at the not-ready verdict.
            RestartRules rules = rules().readinessProbe()
                    .initialBackoff(Duration.ofSeconds(1))
                    .multiplier(2)
                    .resetAfter(Duration.ofSeconds(10))
                    .build();
            Process p = running(rules);
            failQuickly(p, 3);
            long spawnedAt = p.status.startedAtMillis();
            int pid = p.status.pid();
            p.on(new Event.ReadinessChanged(pid, true, "ok", spawnedAt + 1_000));
            p.on(new Event.ReadinessChanged(pid, false, "HTTP 503", spawnedAt + 3_600_000));
            p.on(new Event.Failing(pid, NO_ANSWER, spawnedAt + 3_600_100));

            Step stopped = p.on(new Event.Stopped(pid, STOPPED_BY_TERM, spawnedAt + 3_600_500, 0.5));

            assertThat(only(stopped, Schedule.class).delay()).isEqualTo(Duration.ofSeconds(8));
            assertThat(stopped.status().budget().failedStarts())
                    .as("it was ready in this run")
                    .isZero();
        }
    }

    @Nested
    class Ends {
        @Test
        void exitCodeZeroIsASuccessAndCompletesTheProcess() {
            Step step = running(rules().policy(Policy.NO).build()).on(new Event.Exited(PID, EXIT_0, T1, 0.5));

            End end = step.status().lastEnd();
            assertThat(end).isEqualTo(new End.Exited(EXIT_0));
            assertThat(end.kind()).isEqualTo(End.Kind.SUCCESS);
            assertThat(end.kind().label()).isEqualTo("success");
            assertThat(end.success()).isTrue();
            assertThat(end.forced()).isFalse();
            assertThat(end.describe()).isEqualTo("exit code 0");
            assertThat(step.status().state()).isEqualTo(EXITED);
            assertThat(step.status().completed()).isTrue();
        }

        @Test
        void exitCodeOneIsAFailure() {
            Step step = running(rules().policy(Policy.NO).build()).on(new Event.Exited(PID, EXIT_1, T1, 0.5));

            assertThat(step.status().lastEnd().kind()).isEqualTo(End.Kind.FAILURE);
            assertThat(step.status().lastEnd().success()).isFalse();
            assertThat(step.status().state()).isEqualTo(EXITED);
            assertThat(step.status().completed()).isFalse();
        }

        @Test
        void deathByASignalIsASignal() {
            Termination segv = Termination.killed(11, "SIGSEGV", true);
            Step step = running(rules().policy(Policy.NO).build()).on(new Event.Exited(PID, segv, T1, 0.5));

            assertThat(step.status().lastEnd().kind()).isEqualTo(End.Kind.SIGNAL);
            assertThat(step.status().lastEnd().describe()).isEqualTo("killed by SIGSEGV (core dumped)");
            assertThat(step.status().completed()).isFalse();
        }

        @Test
        void aStopIsStopped() {
            Process p = running(rules().build());
            p.on(new Event.Stop());

            End end = p.on(new Event.Stopped(PID, STOPPED_BY_TERM, T1, 0.5))
                    .status()
                    .lastEnd();

            assertThat(end.kind()).isEqualTo(End.Kind.STOPPED);
            assertThat(end.forced()).isFalse();
            assertThat(end.success()).isFalse();
            assertThat(end.describe()).isEqualTo("killed by SIGTERM");
        }

        @Test
        void aStopThatHadToKillIsKilledAfterStopTimeout() {
            Process p = running(rules().build());
            p.on(new Event.Stop());

            End end = p.on(new Event.Stopped(PID, KILLED_AFTER_TIMEOUT, T1, 0.5))
                    .status()
                    .lastEnd();

            assertThat(end.kind()).isEqualTo(End.Kind.KILLED_AFTER_STOP_TIMEOUT);
            assertThat(end.kind().label()).isEqualTo("killed");
            assertThat(end.forced()).isTrue();
            assertThat(end.describe()).isEqualTo("killed after stop_timeout; killed by SIGKILL");
        }

        @ParameterizedTest(name = "{0}")
        @CsvSource({"LIVENESS", "MEMORY_LIMIT", "CPU_LIMIT"})
        void aFailingChildEndsWithTheKindOfItsFailure(End.Kind kind) {
            Failure cause = failureOf(kind);
            Process p = running(rules().build());
            p.on(new Event.Failing(PID, cause, T1));

            End end = p.on(new Event.Stopped(PID, KILLED_AFTER_TIMEOUT, T1, 0.5))
                    .status()
                    .lastEnd();

            assertThat(end).isEqualTo(new End.Failed(cause, KILLED_AFTER_TIMEOUT));
            assertThat(end.kind()).isEqualTo(kind);
            assertThat(end.describe()).isEqualTo(cause.describe());
            assertThat(end.forced()).as("the stop's own outcome").isTrue();
        }

        @ParameterizedTest(name = "{0}")
        @CsvSource({"LIVENESS", "MEMORY_LIMIT", "CPU_LIMIT"})
        void aChildThatFailsWhileDrainingEndsWithTheKindOfItsFailure(End.Kind kind) {
            Failure cause = failureOf(kind);
            Process p = running(rules().drains().build());
            p.on(new Event.Stop());
            p.on(new Event.Failing(PID, cause, T1));

            End end = p.on(new Event.Stopped(PID, STOPPED_BY_TERM, T1, 0.5))
                    .status()
                    .lastEnd();

            assertThat(end).isEqualTo(new End.Failed(cause, STOPPED_BY_TERM));
            assertThat(end.kind()).isEqualTo(kind);
            assertThat(end.forced()).isFalse();
        }

        @Test
        void failureDescriptionsNameTheProbeOrTheResource() {
            assertThat(NO_ANSWER.describe()).isEqualTo("liveness failed: no answer in 1s");
            assertThat(OVER_MEMORY.describe()).isEqualTo("memory limit: 600MB over 512MB for 3 samples");
            assertThat(OVER_CPU.describe()).isEqualTo("cpu limit: 150% over 90% for 3 samples");
        }

        @Test
        void aSpawnFailureIsSpawnFailedWhetherPermanentOrTemporary() {
            for (SpawnFailure failure : List.of(NO_SUCH_FILE, NO_DESCRIPTORS)) {
                Process p = new Process(Status.initial(true, null), rules().build());
                p.on(new Event.Start());

                End end = p.on(new Event.SpawnFailed(failure, T0, 0.5)).status().lastEnd();

                assertThat(end).isEqualTo(new End.NotSpawned(failure));
                assertThat(end.kind()).isEqualTo(End.Kind.SPAWN_FAILED);
                assertThat(end.describe()).isEqualTo(failure.detail());
            }
        }

        @Test
        void completedOnlyWhenExitedAfterASuccessfulEnd() {
            // exited after exit code 0: completed
            assertThat(running(rules().policy(Policy.NO).build())
                            .on(new Event.Exited(PID, EXIT_0, T1, 0.5))
                            .status()
                            .completed())
                    .isTrue();
            // a successful end, but it is restarted: not completed
            Status backoff = running(rules().policy(Policy.ALWAYS).build())
                    .on(new Event.Exited(PID, EXIT_0, T1, 0.5))
                    .status();
            assertThat(backoff.state()).isEqualTo(BACKOFF);
            assertThat(backoff.lastEnd().success()).isTrue();
            assertThat(backoff.completed()).isFalse();
            // started again after completing: not completed any more
            Process again = running(rules().policy(Policy.NO).build());
            again.on(new Event.Exited(PID, EXIT_0, T1, 0.5));
            assertThat(again.on(new Event.Start()).status().completed()).isFalse();
            // a stop whose child happened to exit 0 is a stop, not a success
            Process stopped = running(rules().build());
            stopped.on(new Event.Stop());
            Status afterStop = stopped.on(new Event.Stopped(PID, new StopResult(EXIT_0, false, null), T1, 0.5))
                    .status();
            assertThat(afterStop.lastEnd().success()).isFalse();
            assertThat(afterStop.completed()).isFalse();
            // exited after failing with restart: "no", even if its exit code was 0: not completed
            Process failed = running(rules().policy(Policy.NO).build());
            failed.on(new Event.Failing(PID, NO_ANSWER, T1));
            Status afterFailing = failed.on(new Event.Stopped(PID, new StopResult(EXIT_0, false, null), T1, 0.5))
                    .status();
            assertThat(afterFailing.state()).isEqualTo(EXITED);
            assertThat(afterFailing.completed()).isFalse();
            // the table's statuses: only the exited one with exit code 0
            for (Row row : TABLE) {
                assertThat(row.before().completed()).as(row.name()).isEqualTo(row.before() == EXITED_STATUS);
            }
            assertThat(FATAL_STATUS.completed()).isFalse();
        }

        @Test
        void everyKindHasTheLabelTheMetricsUse() {
            assertThat(Arrays.stream(End.Kind.values()).map(End.Kind::label))
                    .containsExactly(
                            "success",
                            "failure",
                            "signal",
                            "stopped",
                            "killed",
                            "liveness",
                            "watchdog",
                            "memory_limit",
                            "cpu_limit",
                            "spawn_failed");
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Helpers
    // ---------------------------------------------------------------------------------------------

    /** One process driven through a sequence of events. */
    private static final class Process {
        private final RestartRules rules;
        private Status status;

        Process(Status status, RestartRules rules) {
            this.status = status;
            this.rules = rules;
        }

        Step on(Event event) {
            Step step = Transition.next(status, event, rules);
            status = step.status();
            return step;
        }
    }

    /** A process that was started and is now RUNNING with child {@value #PID}, spawned at T0. */
    private static Process running(RestartRules rules) {
        Process p = new Process(Status.initial(true, null), rules);
        p.on(new Event.Start());
        p.on(new Event.Spawned(PID, T0));
        return p;
    }

    /**
     * Lets the running child fail {@code times} times, each one 100ms after its spawn, going through
     * the backoff; returns the scheduled delays. Leaves the process RUNNING.
     */
    private static List<Duration> failQuickly(Process p, int times) {
        List<Duration> delays = new ArrayList<>();
        long now = p.status.startedAtMillis();
        for (int i = 0; i < times; i++) {
            now += 100;
            int pid = p.status.pid();
            Schedule timer = only(p.on(exitFailure(pid, now)), Schedule.class);
            delays.add(timer.delay());
            now += timer.delay().toMillis();
            assertThat(p.on(timer.event()).effects()).contains(new Spawn());
            p.on(new Event.Spawned(pid + 1, now));
        }
        assertThat(p.status.state()).isEqualTo(RUNNING);
        return delays;
    }

    private static Failure failureOf(End.Kind kind) {
        return switch (kind) {
            case LIVENESS -> NO_ANSWER;
            case MEMORY_LIMIT -> OVER_MEMORY;
            case CPU_LIMIT -> OVER_CPU;
            default -> throw new AssertionError(kind);
        };
    }

    private static Event.Exited exitFailure(int pid, long atMillis) {
        return new Event.Exited(pid, EXIT_1, atMillis, 0.5);
    }

    private static List<Class<? extends Effect>> types(Step step) {
        List<Class<? extends Effect>> types = new ArrayList<>();
        for (Effect effect : step.effects()) {
            types.add(effect.getClass());
        }
        return types;
    }

    private static <E extends Effect> E only(Step step, Class<E> type) {
        List<E> matching =
                step.effects().stream().filter(type::isInstance).map(type::cast).toList();
        assertThat(matching)
                .as("%s effects in %s", type.getSimpleName(), step.effects())
                .hasSize(1);
        return matching.getFirst();
    }

    private static Rules rules() {
        return new Rules();
    }

    /**
     * Restart rules with plain defaults, changed one field at a time by each test: ALWAYS restart,
     * no max_restarts, backoff 1s × 2 up to 60s, reset_after 10s, no probe, ready at once
     * (min_uptime 0), no start_period, no draining.
     */
    private static final class Rules {
        private Policy policy = Policy.ALWAYS;
        private int maxRestarts = 0;
        private Duration window = Duration.ofSeconds(60);
        private Duration initialBackoff = Duration.ofSeconds(1);
        private Duration maxBackoff = Duration.ofSeconds(60);
        private double multiplier = 2;
        private Duration resetAfter = Duration.ofSeconds(10);
        private boolean readinessProbe = false;
        private Duration minUptime = Duration.ZERO;
        private Duration startPeriod = null;
        private boolean drains = false;
        private boolean readyByNotify = false;

        /** The configuration's defaults (docs/configuration.md). */
        static Rules defaults() {
            return new Rules()
                    .policy(Policy.ON_FAILURE)
                    .maxRestarts(10)
                    .window(Duration.ofSeconds(60))
                    .initialBackoff(Duration.ofSeconds(1))
                    .maxBackoff(Duration.ofSeconds(30))
                    .multiplier(2)
                    .resetAfter(Duration.ofSeconds(60))
                    .minUptime(Duration.ofSeconds(1));
        }

        Rules policy(Policy policy) {
            this.policy = policy;
            return this;
        }

        Rules maxRestarts(int maxRestarts) {
            this.maxRestarts = maxRestarts;
            return this;
        }

        Rules window(Duration window) {
            this.window = window;
            return this;
        }

        Rules initialBackoff(Duration initialBackoff) {
            this.initialBackoff = initialBackoff;
            return this;
        }

        Rules maxBackoff(Duration maxBackoff) {
            this.maxBackoff = maxBackoff;
            return this;
        }

        Rules multiplier(double multiplier) {
            this.multiplier = multiplier;
            return this;
        }

        Rules resetAfter(Duration resetAfter) {
            this.resetAfter = resetAfter;
            return this;
        }

        Rules readinessProbe() {
            this.readinessProbe = true;
            return this;
        }

        Rules minUptime(Duration minUptime) {
            this.minUptime = minUptime;
            return this;
        }

        Rules startPeriod(Duration startPeriod) {
            this.startPeriod = startPeriod;
            return this;
        }

        Rules drains() {
            this.drains = true;
            return this;
        }

        Rules notifies() {
            this.readyByNotify = true;
            return this;
        }

        RestartRules build() {
            return new RestartRules(
                    policy,
                    maxRestarts,
                    window,
                    initialBackoff,
                    maxBackoff,
                    multiplier,
                    resetAfter,
                    readinessProbe,
                    minUptime,
                    startPeriod,
                    drains,
                    readyByNotify);
        }
    }
}
