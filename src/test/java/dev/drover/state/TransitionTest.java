package dev.drover.state;

import static dev.drover.state.ProcessState.BACKOFF;
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
import dev.drover.state.Effect.ScheduleBackoff;
import dev.drover.state.Effect.Spawn;
import dev.drover.state.Effect.StartProbes;
import dev.drover.state.Effect.StopChild;
import dev.drover.state.Effect.StopProbes;
import dev.drover.state.RestartRules.Policy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
    private static final long T0 = 1_000_000;
    private static final long T1 = T0 + 1_000;

    // ---------------------------------------------------------------------------------------------
    // The table: every state × every event kind, each cell a deliberate expectation (s6's
    // actions[state][event]). The statuses and events it is read against are defined just below.
    // ---------------------------------------------------------------------------------------------

    /** Column order of every row. */
    private static final Map<Class<? extends Event>, Event> EVENTS = events();

    private static Map<Class<? extends Event>, Event> events() {
        Map<Class<? extends Event>, Event> events = new LinkedHashMap<>();
        events.put(Event.Start.class, new Event.Start());
        events.put(Event.Stop.class, new Event.Stop());
        events.put(Event.Restart.class, new Event.Restart());
        events.put(Event.DependenciesChanged.class, new Event.DependenciesChanged(true, null));
        events.put(Event.Spawned.class, new Event.Spawned(PID, T1));
        events.put(Event.SpawnFailed.class, new Event.SpawnFailed("no such file: /bin/nope"));
        events.put(Event.Exited.class, new Event.Exited(PID, "exit code 1", false, T1, 0.5));
        events.put(Event.Stopped.class, new Event.Stopped(PID, "signal TERM", false, T1));
        events.put(Event.BackoffElapsed.class, new Event.BackoffElapsed(TOKEN));
        events.put(Event.ReadinessChanged.class, new Event.ReadinessChanged(PID, false, "HTTP 503", T1));
        events.put(Event.Failing.class, new Event.Failing(PID, "liveness failed: no answer in 1s", T1));
        return events;
    }

    /**
     * One representative status per state. RUNNING and STOPPING have child {@value #PID}; every
     * status carries timer token {@value #TOKEN}, so only BACKOFF may act on the timer.
     */
    private static final Map<ProcessState, Status> STATUSES = statuses();

    private static Map<ProcessState, Status> statuses() {
        Status none = Status.initial(true).withTimer(TOKEN);
        Status wanted = none.withGoal(true);
        Map<ProcessState, Status> statuses = new EnumMap<>(ProcessState.class);
        statuses.put(STOPPED, none);
        statuses.put(STARTING, wanted.with(STARTING));
        statuses.put(RUNNING, wanted.with(RUNNING).withChild(PID, T0).withHealth(Health.READY, T0));
        statuses.put(BACKOFF, wanted.with(BACKOFF).withRestarts(1, List.of(T0), 1).withExit("exit code 1", false));
        statuses.put(STOPPING, none.with(STOPPING).withChild(PID, T0));
        statuses.put(EXITED, wanted.with(EXITED).withExit("exit code 0", true));
        statuses.put(FATAL, wanted.with(FATAL).withReason("no such file: /bin/nope"));
        return statuses;
    }

    /** ALWAYS restart, 1s initial backoff, no max_restarts, no readiness probe. */
    private static final RestartRules TABLE_RULES = rules().build();

    private static final Map<ProcessState, List<Cell>> TABLE = new EnumMap<>(ProcessState.class);

    static {
        row(STOPPED,
                /* Start               */ to(STARTING, Spawn.class),
                /* Stop                */ unchanged(),
                /* Restart             */ to(STARTING, Spawn.class),
                /* DependenciesChanged */ unchanged(),
                /* Spawned             */ illegal(),
                /* SpawnFailed         */ illegal(),
                /* Exited              */ unchanged(),
                /* Stopped             */ unchanged(),
                /* BackoffElapsed      */ unchanged(),
                /* ReadinessChanged    */ unchanged(),
                /* Failing             */ unchanged());
        row(STARTING,
                /* Start               */ unchanged(),
                /* Stop                */ to(STARTING),
                /* Restart             */ unchanged(),
                /* DependenciesChanged */ unchanged(),
                /* Spawned             */ to(RUNNING, StartProbes.class, Announce.class),
                /* SpawnFailed         */ to(FATAL, Announce.class),
                /* Exited              */ unchanged(),
                /* Stopped             */ unchanged(),
                /* BackoffElapsed      */ unchanged(),
                /* ReadinessChanged    */ unchanged(),
                /* Failing             */ unchanged());
        row(RUNNING,
                /* Start               */ unchanged(),
                /* Stop                */ to(STOPPING, StopProbes.class, Announce.class, StopChild.class),
                /* Restart             */ to(STOPPING, StopProbes.class, Announce.class, StopChild.class),
                /* DependenciesChanged */ unchanged(),
                /* Spawned             */ illegal(),
                /* SpawnFailed         */ illegal(),
                /* Exited              */ to(BACKOFF, StopProbes.class, CleanUpExited.class, Announce.class, ScheduleBackoff.class),
                /* Stopped             */ unchanged(),
                /* BackoffElapsed      */ unchanged(),
                /* ReadinessChanged    */ to(RUNNING, Announce.class),
                /* Failing             */ to(STOPPING, StopProbes.class, Announce.class, StopChild.class));
        row(BACKOFF,
                /* Start               */ to(STARTING, Spawn.class),
                /* Stop                */ to(STOPPED),
                /* Restart             */ to(STARTING, Spawn.class),
                /* DependenciesChanged */ unchanged(),
                /* Spawned             */ illegal(),
                /* SpawnFailed         */ illegal(),
                /* Exited              */ unchanged(),
                /* Stopped             */ unchanged(),
                /* BackoffElapsed      */ to(STARTING, Spawn.class),
                /* ReadinessChanged    */ unchanged(),
                /* Failing             */ unchanged());
        row(STOPPING,
                /* Start               */ to(STOPPING),
                /* Stop                */ unchanged(),
                /* Restart             */ to(STOPPING),
                /* DependenciesChanged */ unchanged(),
                /* Spawned             */ illegal(),
                /* SpawnFailed         */ illegal(),
                /* Exited              */ to(STOPPING),
                /* Stopped             */ to(STOPPED, Announce.class),
                /* BackoffElapsed      */ unchanged(),
                /* ReadinessChanged    */ unchanged(),
                /* Failing             */ unchanged());
        row(EXITED,
                /* Start               */ to(STARTING, Spawn.class),
                /* Stop                */ to(EXITED),
                /* Restart             */ to(STARTING, Spawn.class),
                /* DependenciesChanged */ unchanged(),
                /* Spawned             */ illegal(),
                /* SpawnFailed         */ illegal(),
                /* Exited              */ unchanged(),
                /* Stopped             */ unchanged(),
                /* BackoffElapsed      */ unchanged(),
                /* ReadinessChanged    */ unchanged(),
                /* Failing             */ unchanged());
        row(FATAL,
                /* Start               */ to(STARTING, Spawn.class),
                /* Stop                */ to(FATAL),
                /* Restart             */ to(STARTING, Spawn.class),
                /* DependenciesChanged */ unchanged(),
                /* Spawned             */ illegal(),
                /* SpawnFailed         */ illegal(),
                /* Exited              */ unchanged(),
                /* Stopped             */ unchanged(),
                /* BackoffElapsed      */ unchanged(),
                /* ReadinessChanged    */ unchanged(),
                /* Failing             */ unchanged());
    }

    private sealed interface Cell {}

    /** Moves to {@code state} with exactly these effects, in this order (the status may change). */
    private record Goes(ProcessState state, List<Class<? extends Effect>> effects) implements Cell {}

    /** Leaves the status exactly as it was and does nothing. */
    private record Unchanged() implements Cell {}

    /** Cannot happen in this state: throws {@link IllegalTransitionException}. */
    private record Illegal() implements Cell {}

    @SafeVarargs
    private static Cell to(ProcessState state, Class<? extends Effect>... effects) {
        return new Goes(state, List.of(effects));
    }

    private static Cell unchanged() {
        return new Unchanged();
    }

    private static Cell illegal() {
        return new Illegal();
    }

    private static void row(ProcessState state, Cell... cells) {
        if (cells.length != EVENTS.size()) {
            throw new AssertionError("row " + state + " has " + cells.length + " cells, not " + EVENTS.size());
        }
        TABLE.put(state, List.of(cells));
    }

    @Test
    void tableCoversEveryStateAndEveryEventKind() {
        assertThat(TABLE.keySet()).containsExactlyInAnyOrder(ProcessState.values());
        assertThat(STATUSES.keySet()).containsExactlyInAnyOrder(ProcessState.values());
        assertThat(EVENTS.keySet()).containsExactlyInAnyOrder(permittedEvents());
        STATUSES.forEach((state, status) -> assertThat(status.state()).isEqualTo(state));
    }

    @SuppressWarnings("unchecked")
    private static Class<? extends Event>[] permittedEvents() {
        return Arrays.stream(Event.class.getPermittedSubclasses()).map(c -> (Class<? extends Event>) c).toArray(Class[]::new);
    }

    @TestFactory
    Stream<DynamicTest> everyStateHandlesEveryEventAsTheTableSays() {
        List<DynamicTest> tests = new ArrayList<>();
        for (ProcessState state : ProcessState.values()) {
            List<Cell> row = TABLE.get(state);
            int column = 0;
            for (Event event : EVENTS.values()) {
                Cell cell = row.get(column++);
                Status before = STATUSES.get(state);
                String name = state.label() + " × " + event.getClass().getSimpleName() + " → " + describe(cell);
                tests.add(DynamicTest.dynamicTest(name, () -> assertCell(name, before, event, cell)));
            }
        }
        return tests.stream();
    }

    private static void assertCell(String name, Status before, Event event, Cell cell) {
        switch (cell) {
            case Illegal illegal -> assertThatThrownBy(() -> Transition.next(before, event, TABLE_RULES))
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
                assertThat(types(step)).as(name).containsExactlyElementsOf(goes.effects());
            }
        }
    }

    private static String describe(Cell cell) {
        return switch (cell) {
            case Illegal illegal -> "throws";
            case Unchanged unchanged -> "unchanged";
            case Goes goes -> goes.state().label() + " " + goes.effects().stream().map(Class::getSimpleName).toList();
        };
    }

    /** News about a child that is not the current one, from every state that has a child. */
    @TestFactory
    Stream<DynamicTest> newsAboutAStaleChildIsIgnored() {
        List<Event> stale = List.of(
                new Event.Exited(STALE_PID, "exit code 1", false, T1, 0.5),
                new Event.Exited(STALE_PID, "exit code 0", true, T1, 0.5),
                new Event.Stopped(STALE_PID, "signal TERM", false, T1),
                new Event.Stopped(STALE_PID, "signal KILL", true, T1),
                new Event.ReadinessChanged(STALE_PID, false, "HTTP 503", T1),
                new Event.ReadinessChanged(STALE_PID, true, "HTTP 200", T1),
                new Event.Failing(STALE_PID, "liveness failed: no answer", T1));
        List<Status> withChild = List.of(
                STATUSES.get(RUNNING),
                STATUSES.get(RUNNING).withHealth(Health.NOT_READY, 0),
                STATUSES.get(STOPPING),
                STATUSES.get(STOPPING).withGoal(true));
        return withChild.stream().flatMap(status -> stale.stream().map(event -> DynamicTest.dynamicTest(
                status.state().label() + " (goal " + status.goal() + ", " + status.health().label() + ") × " + event,
                () -> assertIgnored(status, event))));
    }

    @TestFactory
    Stream<DynamicTest> aStaleBackoffTimerIsIgnored() {
        Status backoff = STATUSES.get(BACKOFF);
        return Stream.of(TOKEN - 1, TOKEN + 1, 0L).map(token -> DynamicTest.dynamicTest(
                "backoff with token " + TOKEN + " × BackoffElapsed(" + token + ")",
                () -> assertIgnored(backoff, new Event.BackoffElapsed(token))));
    }

    private static void assertIgnored(Status before, Event event) {
        Step step = Transition.next(before, event, rules().build());
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
            Step step = Transition.next(Status.initial(true), new Event.Start(), rules().build());

            assertThat(step.status().state()).isEqualTo(STARTING);
            assertThat(step.status().goal()).isTrue();
            assertThat(step.status().pid()).isZero();
            assertThat(step.effects()).containsExactly(new Spawn());
        }

        @Test
        void startWithDependenciesUnmetWaitsAndSaysWhatFor() {
            Process p = new Process(Status.initial(false), rules().build());
            p.on(new Event.DependenciesChanged(false, "db (healthy)"));

            Step step = p.on(new Event.Start());

            assertThat(step.status().state()).isEqualTo(STOPPED);
            assertThat(step.status().goal()).isTrue();
            assertThat(step.status().waitingFor()).isEqualTo("db (healthy)");
            assertThat(step.effects()).containsExactly(new Announce("waiting for db (healthy)"));
        }

        @Test
        void dependenciesMetLaterSpawnTheWaitingProcess() {
            Process p = new Process(Status.initial(false), rules().build());
            p.on(new Event.DependenciesChanged(false, "db (healthy)"));
            p.on(new Event.Start());

            Step step = p.on(new Event.DependenciesChanged(true, null));

            assertThat(step.status().state()).isEqualTo(STARTING);
            assertThat(step.status().waitingFor()).isNull();
            assertThat(step.effects()).containsExactly(new Spawn());
        }

        @Test
        void dependenciesMetDoNotStartAProcessNobodyAskedFor() {
            Process p = new Process(Status.initial(false), rules().build());

            Step step = p.on(new Event.DependenciesChanged(true, null));

            assertThat(step.status().state()).isEqualTo(STOPPED);
            assertThat(step.status().dependenciesMet()).isTrue();
            assertThat(step.effects()).isEmpty();
        }

        @Test
        void stopWhileWaitingForDependenciesCancelsTheStart() {
            Process p = new Process(Status.initial(false), rules().build());
            p.on(new Event.DependenciesChanged(false, "db (healthy)"));
            p.on(new Event.Start());
            p.on(new Event.Stop());

            Step step = p.on(new Event.DependenciesChanged(true, null));

            assertThat(step.status().state()).isEqualTo(STOPPED);
            assertThat(step.status().goal()).isFalse();
            assertThat(step.effects()).isEmpty();
        }

        @Test
        void startAfterStopWhileWaitingStillSaysWhatItWaitsFor() {
            Process p = new Process(Status.initial(false), rules().build());
            p.on(new Event.DependenciesChanged(false, "db (healthy)"));
            p.on(new Event.Start());
            p.on(new Event.Stop());

            Step step = p.on(new Event.Start());

            assertThat(step.status().state()).isEqualTo(STOPPED);
            assertThat(step.effects()).containsExactly(new Announce("waiting for db (healthy)"));
        }

        @Test
        void spawnedWithoutReadinessProbeIsReadyAtOnce() {
            Process p = new Process(Status.initial(true), rules().build());
            p.on(new Event.Start());

            Step step = p.on(new Event.Spawned(PID, T0));

            assertThat(step.status().state()).isEqualTo(RUNNING);
            assertThat(step.status().pid()).isEqualTo(PID);
            assertThat(step.status().startedAtMillis()).isEqualTo(T0);
            assertThat(step.status().health()).isEqualTo(Health.READY);
            assertThat(step.status().readySinceMillis()).isEqualTo(T0);
            assertThat(step.effects()).containsExactly(new StartProbes(PID), new Announce("started (pid 42)"));
        }

        @Test
        void spawnedWithReadinessProbeRunsButHealthIsUnknownUntilTheProbeSays() {
            Process p = new Process(Status.initial(true), rules().readinessProbe().build());
            p.on(new Event.Start());

            Step spawned = p.on(new Event.Spawned(PID, T0));

            assertThat(spawned.status().state()).isEqualTo(RUNNING);
            assertThat(spawned.status().health()).isEqualTo(Health.UNKNOWN);
            assertThat(spawned.status().readySinceMillis()).isZero();
            assertThat(spawned.effects()).contains(new StartProbes(PID));

            Step ready = p.on(new Event.ReadinessChanged(PID, true, "HTTP 200", T1));

            assertThat(ready.status().health()).isEqualTo(Health.READY);
            assertThat(ready.status().readySinceMillis()).isEqualTo(T1);
            assertThat(ready.effects()).containsExactly(new Announce("ready"));
        }

        @Test
        void stopWhileStartingStopsTheChildOnceItIsSpawned() {
            Process p = new Process(Status.initial(true), rules().build());
            p.on(new Event.Start());

            Step stop = p.on(new Event.Stop());
            assertThat(stop.status().state()).isEqualTo(STARTING);
            assertThat(stop.effects()).isEmpty();

            Step spawned = p.on(new Event.Spawned(PID, T0));
            assertThat(spawned.status().state()).isEqualTo(STOPPING);
            assertThat(spawned.status().pid()).isEqualTo(PID);
            assertThat(spawned.status().health()).isEqualTo(Health.UNKNOWN);
            assertThat(types(spawned)).contains(StopChild.class).doesNotContain(StartProbes.class, Spawn.class);

            Step stopped = p.on(new Event.Stopped(PID, "signal TERM", false, T1));
            assertThat(stopped.status().state()).isEqualTo(STOPPED);
            assertThat(stopped.status().pid()).isZero();
            assertThat(types(stopped)).doesNotContain(Spawn.class);
        }

        @Test
        void stopThenStartWhileStartingEndsUpRunning() {
            Process p = new Process(Status.initial(true), rules().build());
            p.on(new Event.Start());
            p.on(new Event.Stop());
            p.on(new Event.Start());

            Step spawned = p.on(new Event.Spawned(PID, T0));

            assertThat(spawned.status().state()).isEqualTo(RUNNING);
            assertThat(spawned.effects()).contains(new StartProbes(PID));
        }

        @Test
        void spawnFailedIsFatalWithTheReasonAndNoRestart() {
            Process p = new Process(Status.initial(true), rules().policy(Policy.ALWAYS).initialBackoff(Duration.ZERO).build());
            p.on(new Event.Start());

            Step step = p.on(new Event.SpawnFailed("no such file: /bin/nope"));

            assertThat(step.status().state()).isEqualTo(FATAL);
            assertThat(step.status().reason()).isEqualTo("no such file: /bin/nope");
            assertThat(step.status().pid()).isZero();
            assertThat(step.status().restarts()).isZero();
            assertThat(step.effects()).containsExactly(new Announce("fatal: no such file: /bin/nope"));
        }

        @Test
        void aTemporarySpawnFailureIsRetriedWithBackoffWithinTheBudget() {
            Process p = new Process(Status.initial(true), rules().policy(Policy.ALWAYS).maxRestarts(2).build());
            p.on(new Event.Start());

            Step first = p.on(new Event.SpawnFailed("cannot create a pipe: Too many open files", true, T0));
            assertThat(first.status().state()).isEqualTo(BACKOFF);
            assertThat(first.status().restarts()).isEqualTo(1);
            assertThat(types(first)).contains(ScheduleBackoff.class);
            p.on(new Event.BackoffElapsed(first.status().timerToken()));
            p.on(new Event.SpawnFailed("cannot create a pipe: Too many open files", true, T0 + 1000));
            Step gaveUp = p.on(new Event.BackoffElapsed(p.status.timerToken()));
            Step last = p.on(new Event.SpawnFailed("cannot create a pipe: Too many open files", true, T0 + 2000));
            assertThat(gaveUp.status().state()).isEqualTo(STARTING);
            assertThat(last.status().state()).isEqualTo(FATAL);
            assertThat(last.status().reason()).contains("Too many open files").contains("max_restarts 2");
        }

        @Test
        void startAfterFatalBeginsAFreshRestartBudget() {
            Process p = running(rules().maxRestarts(1).initialBackoff(Duration.ZERO).build());
            p.on(exitFailure(PID, T0 + 1_000));
            p.on(new Event.Spawned(PID + 1, T0 + 1_000));
            assertThat(p.on(exitFailure(PID + 1, T0 + 2_000)).status().state()).isEqualTo(FATAL);

            Step start = p.on(new Event.Start());
            p.on(new Event.Spawned(PID + 2, T0 + 3_000));
            Step exit = p.on(exitFailure(PID + 2, T0 + 4_000));

            assertThat(start.effects()).containsExactly(new Spawn());
            assertThat(exit.status().state()).isEqualTo(STARTING);
            assertThat(exit.status().restarts()).isEqualTo(2);
        }
    }

    @Nested
    class Exiting {
        @ParameterizedTest(name = "{0}, success={1} → restarts={2}")
        @CsvSource({
            "ALWAYS,     true,  true",
            "ALWAYS,     false, true",
            "ON_FAILURE, true,  false",
            "ON_FAILURE, false, true",
            "NO,         true,  false",
            "NO,         false, false",
        })
        void exitRestartsOnlyAsThePolicySays(Policy policy, boolean success, boolean restarts) {
            Process p = running(rules().policy(policy).build());
            String description = success ? "exit code 0" : "exit code 3";

            Step step = p.on(new Event.Exited(PID, description, success, T1, 0.5));

            Status s = step.status();
            assertThat(s.pid()).isZero();
            assertThat(s.health()).isEqualTo(Health.UNKNOWN);
            assertThat(s.lastExit()).isEqualTo(description);
            assertThat(s.exitedSuccessfully()).isEqualTo(success);
            assertThat(types(step)).startsWith(StopProbes.class, CleanUpExited.class);
            if (restarts) {
                assertThat(s.state()).isEqualTo(BACKOFF);
                assertThat(s.restarts()).isEqualTo(1);
                assertThat(s.completed()).isFalse();
                assertThat(types(step)).contains(ScheduleBackoff.class);
            } else {
                assertThat(s.state()).isEqualTo(EXITED);
                assertThat(s.restarts()).isZero();
                assertThat(s.completed()).isEqualTo(success);
                assertThat(types(step)).doesNotContain(ScheduleBackoff.class, Spawn.class);
                assertThat(s.reason()).isEqualTo("exited (" + description + ")");
            }
        }

        @Test
        void zeroInitialBackoffRestartsAtOnce() {
            Process p = running(rules().initialBackoff(Duration.ZERO).build());

            Step step = p.on(exitFailure(PID, T1));

            assertThat(step.status().state()).isEqualTo(STARTING);
            assertThat(step.status().pid()).isZero();
            assertThat(step.status().restarts()).isEqualTo(1);
            assertThat(types(step)).endsWith(Spawn.class).doesNotContain(ScheduleBackoff.class);
        }

        @Test
        void immediateRestartStillWaitsForUnmetDependencies() {
            Process p = running(rules().initialBackoff(Duration.ZERO).build());
            p.on(new Event.DependenciesChanged(false, "db (healthy)"));

            Step step = p.on(exitFailure(PID, T1));

            assertThat(step.status().state()).isEqualTo(STOPPED);
            assertThat(step.status().goal()).isTrue();
            assertThat(step.effects()).doesNotContain(new Spawn()).contains(new Announce("waiting for db (healthy)"));
        }

        @Test
        void restartAfterBackoffWaitsForUnmetDependencies() {
            Process p = running(rules().build());
            p.on(new Event.DependenciesChanged(false, "db (healthy)"));
            ScheduleBackoff timer = only(p.on(exitFailure(PID, T1)), ScheduleBackoff.class);

            Step elapsed = p.on(new Event.BackoffElapsed(timer.token()));
            assertThat(elapsed.status().state()).isEqualTo(STOPPED);
            assertThat(elapsed.status().goal()).isTrue();
            assertThat(elapsed.effects()).containsExactly(new Announce("waiting for db (healthy)"));

            Step met = p.on(new Event.DependenciesChanged(true, null));
            assertThat(met.status().state()).isEqualTo(STARTING);
            assertThat(met.effects()).containsExactly(new Spawn());
        }

        @Test
        void backoffElapsedSpawnsWithTheScheduledToken() {
            Process p = running(rules().build());
            Step exit = p.on(exitFailure(PID, T1));
            ScheduleBackoff timer = only(exit, ScheduleBackoff.class);
            assertThat(timer.token()).isEqualTo(exit.status().timerToken());
            assertThat(timer.delay()).isEqualTo(Duration.ofSeconds(1));

            Step elapsed = p.on(new Event.BackoffElapsed(timer.token()));

            assertThat(elapsed.status().state()).isEqualTo(STARTING);
            assertThat(elapsed.effects()).containsExactly(new Spawn());
        }

        @Test
        void backoffGrowsWithConsecutiveFailuresUpToTheMax() {
            RestartRules rules = rules()
                    .initialBackoff(Duration.ofSeconds(1))
                    .multiplier(2)
                    .maxBackoff(Duration.ofSeconds(5))
                    .build();
            Process p = running(rules);

            List<Duration> delays = failQuickly(p, 6);

            assertThat(delays).containsExactly(
                    Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4),
                    Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(5));
            assertThat(p.status.restarts()).isEqualTo(6);
        }

        @ParameterizedTest(name = "jitter {0} → {1}ms")
        @CsvSource({"0.0, 900", "0.25, 950", "0.5, 1000", "0.75, 1050", "0.99, 1098"})
        void jitterSpreadsTheDelayByTenPercent(double jitter, long millis) {
            Process p = running(rules().initialBackoff(Duration.ofSeconds(1)).build());

            Step step = p.on(new Event.Exited(PID, "exit code 1", false, T1, jitter));

            assertThat(only(step, ScheduleBackoff.class).delay()).isEqualTo(Duration.ofMillis(millis));
        }

        @Test
        void jitterSpreadsAroundTheCappedDelay() {
            RestartRules rules = rules().initialBackoff(Duration.ofSeconds(10)).maxBackoff(Duration.ofSeconds(4)).build();

            Step middle = running(rules).on(new Event.Exited(PID, "exit code 1", false, T1, 0.5));
            Step low = running(rules).on(new Event.Exited(PID, "exit code 1", false, T1, 0.0));

            assertThat(only(middle, ScheduleBackoff.class).delay()).isEqualTo(Duration.ofSeconds(4));
            assertThat(only(low, ScheduleBackoff.class).delay()).isEqualTo(Duration.ofMillis(3_600));
        }

        @Test
        void backoffResetsAfterAHealthyRunOfResetAfter() {
            RestartRules rules = rules().initialBackoff(Duration.ofSeconds(1)).multiplier(2).resetAfter(Duration.ofSeconds(10)).build();
            Process p = running(rules);
            assertThat(failQuickly(p, 3)).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4));

            long spawnedAt = p.status.startedAtMillis();
            Step exit = p.on(exitFailure(p.status.pid(), spawnedAt + 10_000));

            assertThat(only(exit, ScheduleBackoff.class).delay()).isEqualTo(Duration.ofSeconds(1));
            assertThat(exit.status().backoffAttempt()).isEqualTo(1);
            assertThat(exit.status().restarts()).isEqualTo(4);
        }

        @Test
        void aHealthyRunShorterThanResetAfterKeepsTheBackoffGrowing() {
            RestartRules rules = rules().initialBackoff(Duration.ofSeconds(1)).multiplier(2).resetAfter(Duration.ofSeconds(10)).build();
            Process p = running(rules);
            failQuickly(p, 3);

            long spawnedAt = p.status.startedAtMillis();
            Step exit = p.on(exitFailure(p.status.pid(), spawnedAt + 9_999));

            assertThat(only(exit, ScheduleBackoff.class).delay()).isEqualTo(Duration.ofSeconds(8));
        }

        @Test
        void healthyTimeCountsFromReadinessNotFromSpawn() {
            RestartRules rules = rules().readinessProbe().initialBackoff(Duration.ofSeconds(1)).multiplier(2).resetAfter(Duration.ofSeconds(10)).build();
            Process p = running(rules);
            p.on(new Event.ReadinessChanged(PID, true, "ok", T0));
            failQuickly(p, 2);

            long spawnedAt = p.status.startedAtMillis();
            int pid = p.status.pid();
            p.on(new Event.ReadinessChanged(pid, true, "ok", spawnedAt + 8_000));
            Step exit = p.on(exitFailure(pid, spawnedAt + 12_000));

            // Running for 12s but ready for only 4s: not a healthy run, the backoff keeps growing.
            assertThat(only(exit, ScheduleBackoff.class).delay()).isEqualTo(Duration.ofSeconds(4));
        }

        @Test
        void tooManyRestartsWithinTheWindowIsFatal() {
            RestartRules rules = rules().maxRestarts(3).window(Duration.ofSeconds(60)).initialBackoff(Duration.ZERO).build();
            Process p = running(rules);
            int pid = PID;
            for (int i = 1; i <= 3; i++) {
                Step exit = p.on(exitFailure(pid, T0 + i * 1_000L));
                assertThat(exit.status().state()).as("exit %d", i).isEqualTo(STARTING);
                p.on(new Event.Spawned(++pid, T0 + i * 1_000L));
            }

            Step fatal = p.on(exitFailure(pid, T0 + 4_000));

            assertThat(fatal.status().state()).isEqualTo(FATAL);
            assertThat(fatal.status().reason()).contains("max_restarts 3");
            assertThat(fatal.status().restarts()).isEqualTo(3);
            assertThat(fatal.status().pid()).isZero();
            assertThat(types(fatal)).containsExactly(StopProbes.class, CleanUpExited.class, Announce.class);
        }

        @Test
        void restartsOlderThanTheWindowDoNotCount() {
            RestartRules rules = rules().maxRestarts(2).window(Duration.ofSeconds(10)).initialBackoff(Duration.ZERO).build();
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
            Process p = running(rules().maxRestarts(0).initialBackoff(Duration.ZERO).build());
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
    class Stopping {
        @Test
        void stopWhileRunningStopsProbesAndTheChild() {
            Process p = running(rules().build());

            Step step = p.on(new Event.Stop());

            assertThat(step.status().state()).isEqualTo(STOPPING);
            assertThat(step.status().goal()).isFalse();
            assertThat(step.status().pid()).isEqualTo(PID);
            assertThat(step.status().health()).isEqualTo(Health.UNKNOWN);
            assertThat(types(step)).containsExactly(StopProbes.class, Announce.class, StopChild.class);
        }

        @Test
        void exitWhileStoppingDoesNotRestart() {
            Process p = running(rules().policy(Policy.ALWAYS).initialBackoff(Duration.ZERO).build());
            p.on(new Event.Stop());

            Step exit = p.on(exitFailure(PID, T1));
            assertThat(exit.status().state()).isEqualTo(STOPPING);
            assertThat(exit.status().lastExit()).isEqualTo("exit code 1");
            assertThat(exit.effects()).isEmpty();

            Step stopped = p.on(new Event.Stopped(PID, "exit code 1", false, T1));
            assertThat(stopped.status().state()).isEqualTo(STOPPED);
            assertThat(stopped.status().pid()).isZero();
            assertThat(stopped.status().health()).isEqualTo(Health.UNKNOWN);
            assertThat(stopped.status().restarts()).isZero();
            assertThat(stopped.effects()).containsExactly(new Announce("stopped (exit code 1)"));
        }

        @Test
        void aForcedStopSaysTheChildWasKilled() {
            Process p = running(rules().build());
            p.on(new Event.Stop());

            Step stopped = p.on(new Event.Stopped(PID, "signal KILL", true, T1));

            assertThat(stopped.status().reason()).isEqualTo("stopped (killed after stop_timeout; signal KILL)");
        }

        @Test
        void restartWhileRunningStopsThenStartsAgain() {
            Process p = running(rules().build());

            Step restart = p.on(new Event.Restart());
            assertThat(restart.status().state()).isEqualTo(STOPPING);
            assertThat(restart.status().goal()).isTrue();
            assertThat(types(restart)).containsExactly(StopProbes.class, Announce.class, StopChild.class);

            Step stopped = p.on(new Event.Stopped(PID, "signal TERM", false, T1));
            assertThat(stopped.status().state()).isEqualTo(STARTING);
            assertThat(stopped.status().pid()).isZero();
            assertThat(types(stopped)).containsExactly(Announce.class, Spawn.class);
            assertThat(stopped.status().restarts()).as("a user's restart is not an automatic one").isZero();
        }

        @Test
        void restartWhileStoppingIsRememberedAndStartsAfterStop() {
            Process p = running(rules().build());
            p.on(new Event.Stop());

            Step restart = p.on(new Event.Restart());
            assertThat(restart.status().state()).isEqualTo(STOPPING);
            assertThat(restart.effects()).isEmpty();

            Step stopped = p.on(new Event.Stopped(PID, "signal TERM", false, T1));
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

            Step stopped = p.on(new Event.Stopped(PID, "signal TERM", false, T1));
            assertThat(stopped.status().state()).isEqualTo(STARTING);
            assertThat(stopped.effects()).contains(new Spawn());
        }

        @Test
        void stopAfterRestartWhileStoppingWins() {
            Process p = running(rules().build());
            p.on(new Event.Restart());
            p.on(new Event.Stop());

            Step stopped = p.on(new Event.Stopped(PID, "signal TERM", false, T1));

            assertThat(stopped.status().state()).isEqualTo(STOPPED);
            assertThat(types(stopped)).doesNotContain(Spawn.class);
        }

        @Test
        void stopInBackoffStopsAndTheOldTimerIsIgnored() {
            Process p = running(rules().build());
            ScheduleBackoff timer = only(p.on(exitFailure(PID, T1)), ScheduleBackoff.class);

            Step stop = p.on(new Event.Stop());
            assertThat(stop.status().state()).isEqualTo(STOPPED);
            assertThat(stop.status().goal()).isFalse();
            assertThat(stop.status().timerToken()).isNotEqualTo(timer.token());
            assertThat(stop.effects()).isEmpty();

            Step elapsed = p.on(new Event.BackoffElapsed(timer.token()));
            assertThat(elapsed.status()).isEqualTo(stop.status());
            assertThat(elapsed.effects()).isEmpty();
        }

        @Test
        void startInBackoffSpawnsAtOnceAndTheOldTimerIsIgnoredEvenInALaterBackoff() {
            Process p = running(rules().build());
            ScheduleBackoff first = only(p.on(exitFailure(PID, T1)), ScheduleBackoff.class);

            Step start = p.on(new Event.Start());
            assertThat(start.status().state()).isEqualTo(STARTING);
            assertThat(start.effects()).containsExactly(new Spawn());

            p.on(new Event.Spawned(PID + 1, T1));
            ScheduleBackoff second = only(p.on(exitFailure(PID + 1, T1 + 1_000)), ScheduleBackoff.class);
            assertThat(second.token()).isNotEqualTo(first.token());

            Step stale = p.on(new Event.BackoffElapsed(first.token()));
            assertThat(stale.status().state()).isEqualTo(BACKOFF);
            assertThat(stale.effects()).isEmpty();
        }
    }

    @Nested
    class Probes {
        @Test
        void readinessFailureOnlyChangesHealth() {
            Process p = running(rules().readinessProbe().build());
            p.on(new Event.ReadinessChanged(PID, true, "HTTP 200", T0));

            Step failed = p.on(new Event.ReadinessChanged(PID, false, "HTTP 503", T1));
            assertThat(failed.status().state()).isEqualTo(RUNNING);
            assertThat(failed.status().pid()).isEqualTo(PID);
            assertThat(failed.status().health()).isEqualTo(Health.NOT_READY);
            assertThat(failed.status().readySinceMillis()).isZero();
            assertThat(failed.effects()).containsExactly(new Announce("not ready: HTTP 503"));

            Step again = p.on(new Event.ReadinessChanged(PID, false, "HTTP 503", T1 + 1));
            assertThat(again.status()).isEqualTo(failed.status());
            assertThat(again.effects()).isEmpty();

            Step recovered = p.on(new Event.ReadinessChanged(PID, true, "HTTP 200", T1 + 2));
            assertThat(recovered.status().state()).isEqualTo(RUNNING);
            assertThat(recovered.status().health()).isEqualTo(Health.READY);
            assertThat(recovered.effects()).containsExactly(new Announce("ready"));
        }

        @Test
        void livenessFailureRestartsTheChild() {
            Process p = running(rules().initialBackoff(Duration.ZERO).build());

            Step failed = p.on(new Event.Failing(PID, "liveness failed: no answer in 1s", T1));
            assertThat(failed.status().state()).isEqualTo(STOPPING);
            assertThat(failed.status().goal()).isTrue();
            // counted when the stop completes, through the same budget as a crash
            assertThat(failed.status().restarts()).isZero();
            assertThat(failed.status().reason()).contains("liveness failed: no answer in 1s");
            assertThat(types(failed)).containsExactly(StopProbes.class, Announce.class, StopChild.class);

            Step stopped = p.on(new Event.Stopped(PID, "signal TERM", false, T1));
            assertThat(stopped.status().state()).isEqualTo(STARTING);
            assertThat(stopped.status().restarts()).isEqualTo(1);
            assertThat(stopped.effects()).contains(new Spawn());
        }

        @Test
        void livenessRestartWaitsTheBackoffLikeACrash() {
            Process p = running(rules().build());
            p.on(new Event.Failing(PID, "liveness failed: no answer in 1s", T1));
            Step stopped = p.on(new Event.Stopped(PID, "signal TERM", false, T1));
            assertThat(stopped.status().state()).isEqualTo(BACKOFF);
            assertThat(types(stopped)).contains(ScheduleBackoff.class).doesNotContain(Spawn.class);
        }

        @Test
        void stopAfterALivenessFailureWins() {
            Process p = running(rules().build());
            p.on(new Event.Failing(PID, "liveness failed: no answer in 1s", T1));
            p.on(new Event.Stop());

            Step stopped = p.on(new Event.Stopped(PID, "signal TERM", false, T1));

            assertThat(stopped.status().state()).isEqualTo(STOPPED);
            assertThat(types(stopped)).doesNotContain(Spawn.class);
        }

        @Test
        void livenessRestartsCountAgainstMaxRestarts() {
            RestartRules rules = rules().maxRestarts(2).window(Duration.ofSeconds(60)).initialBackoff(Duration.ZERO).build();
            Process p = running(rules);
            int pid = PID;
            for (int i = 1; i <= 2; i++) {
                p.on(new Event.Failing(pid, "liveness failed: no answer", T0 + i * 1_000L));
                p.on(new Event.Stopped(pid, "signal TERM", false, T0 + i * 1_000L));
                p.on(new Event.Spawned(++pid, T0 + i * 1_000L));
            }

            p.on(new Event.Failing(pid, "liveness failed: no answer", T0 + 3_000));
            Step last = p.on(new Event.Stopped(pid, "signal TERM", false, T0 + 3_000));

            assertThat(last.status().state()).isEqualTo(FATAL);
            assertThat(last.status().reason()).contains("max_restarts 2");
            assertThat(types(last)).doesNotContain(Spawn.class);
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
        Process p = new Process(Status.initial(true), rules);
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
            ScheduleBackoff timer = only(p.on(exitFailure(pid, now)), ScheduleBackoff.class);
            delays.add(timer.delay());
            now += timer.delay().toMillis();
            assertThat(p.on(new Event.BackoffElapsed(timer.token())).effects()).contains(new Spawn());
            p.on(new Event.Spawned(pid + 1, now));
        }
        assertThat(p.status.state()).isEqualTo(RUNNING);
        return delays;
    }

    private static Event.Exited exitFailure(int pid, long atMillis) {
        return new Event.Exited(pid, "exit code 1", false, atMillis, 0.5);
    }

    private static List<Class<? extends Effect>> types(Step step) {
        List<Class<? extends Effect>> types = new ArrayList<>();
        for (Effect effect : step.effects()) {
            types.add(effect.getClass());
        }
        return types;
    }

    private static <E extends Effect> E only(Step step, Class<E> type) {
        List<E> matching = step.effects().stream().filter(type::isInstance).map(type::cast).toList();
        assertThat(matching).as("%s effects in %s", type.getSimpleName(), step.effects()).hasSize(1);
        return matching.getFirst();
    }

    private static Rules rules() {
        return new Rules();
    }

    /** Restart rules with plain defaults, changed one field at a time by each test. */
    private static final class Rules {
        private Policy policy = Policy.ALWAYS;
        private int maxRestarts = 0;
        private Duration window = Duration.ofSeconds(60);
        private Duration initialBackoff = Duration.ofSeconds(1);
        private Duration maxBackoff = Duration.ofSeconds(60);
        private double multiplier = 2;
        private Duration resetAfter = Duration.ofSeconds(10);
        private boolean readinessProbe = false;

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

        RestartRules build() {
            return new RestartRules(policy, maxRestarts, window, initialBackoff, maxBackoff, multiplier, resetAfter, readinessProbe);
        }
    }
}
