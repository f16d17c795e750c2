package dev.drover.state;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drover.state.Effect.Drain;
import dev.drover.state.Effect.Schedule;
import dev.drover.state.Effect.Spawn;
import dev.drover.state.Effect.StartLiveness;
import dev.drover.state.Effect.StartReadiness;
import dev.drover.state.Effect.StopChild;
import dev.drover.state.RestartRules.Policy;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.Supplier;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Long seeded-random runs of events that can really happen at each point: a fake engine answers
 * every effect (Spawn → Spawned or SpawnFailed, StopChild → Stopped, Drain → Drained, Schedule →
 * its event, StartReadiness → readiness verdicts, StartLiveness → liveness failures), mixed with
 * user commands, dependency changes, child exits, broken limits and stale news; the invariants are
 * checked after every single step.
 */
class TransitionRandomSequenceTest {
    private static final int STEPS = 20_000;

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 5, 8, 13, 21, 42, 1337, 65_537, 20_240_601, 987_654_321, -7})
    void randomValidEventSequencesKeepTheInvariants(long seed) {
        Simulation sim = new Simulation(seed);

        for (int i = 0; i < STEPS; i++) {
            sim.step();
        }

        Set<ProcessState> expected = EnumSet.of(
                ProcessState.STOPPED,
                ProcessState.STARTING,
                ProcessState.RUNNING,
                ProcessState.STOPPING,
                ProcessState.FATAL);
        if (sim.rules.drains()) {
            expected.add(ProcessState.DRAINING);
        }
        if (!sim.rules.initialBackoff().isZero()) {
            expected.add(ProcessState.BACKOFF);
        }
        assertThat(sim.visited)
                .as("states reached with seed %d and %s", seed, sim.rules)
                .containsAll(expected);
    }

    /** One process and a fake engine that feeds back what the effects ask for. */
    private static final class Simulation {
        private final long seed;
        private final Random random;
        private final RestartRules rules;
        private final Set<ProcessState> visited = EnumSet.noneOf(ProcessState.class);
        private final Deque<String> history = new ArrayDeque<>();
        /** Events the engine was asked to deliver later (Schedule), not yet delivered. */
        private final List<Event> scheduled = new ArrayList<>();
        /** Children being drained whose Drained has not been delivered yet. */
        private final List<Integer> drainsPending = new ArrayList<>();

        private final List<Integer> earlierPids = new ArrayList<>();
        /** Children whose liveness probe was started: at most once each. */
        private final Set<Integer> livenessStarted = new HashSet<>();

        private final Set<Integer> readinessStarted = new HashSet<>();

        private Status status;
        private long now = 1_700_000_000_000L;
        private int nextPid = 100;
        private boolean spawnPending;
        private int stopPendingFor;
        private boolean childAlive;
        private int steps;

        Simulation(long seed) {
            this.seed = seed;
            this.random = new Random(seed);
            this.rules = randomRules(random);
            boolean met = random.nextBoolean();
            this.status = Status.initial(met, met ? null : "db to be healthy");
            visited.add(status.state());
        }

        void step() {
            now += random.nextInt(10) == 0 ? random.nextInt(120_000) : random.nextInt(3_000);
            Choice choice = choose();
            Status before = status;
            Step step = Transition.next(before, choice.event(), rules);
            steps++;
            remember(choice.event() + " → " + step.status().state() + " " + step.effects());

            check(before, choice, step);
            status = step.status();
            visited.add(status.state());
            feedBack(before, choice, step);
            checkEngine();
        }

        private record Choice(Event event, boolean stale) {}

        private Choice choose() {
            List<Weighted> options = new ArrayList<>();
            options.add(new Weighted(3, () -> new Choice(new Event.Start(), false)));
            options.add(new Weighted(3, () -> new Choice(new Event.Stop(), false)));
            options.add(new Weighted(2, () -> new Choice(new Event.Restart(), false)));
            options.add(new Weighted(
                    3,
                    () -> new Choice(
                            random.nextInt(3) == 0
                                    ? new Event.DependenciesChanged(false, "db to be healthy")
                                    : new Event.DependenciesChanged(true, null),
                            false)));
            if (spawnPending) {
                options.add(new Weighted(30, () -> new Choice(new Event.Spawned(nextPid++, now), false)));
                options.add(new Weighted(
                        1,
                        () -> new Choice(
                                new Event.SpawnFailed(
                                        SpawnFailure.permanent("no such file: /bin/nope"), now, random.nextDouble()),
                                false)));
                options.add(new Weighted(
                        2,
                        () -> new Choice(
                                new Event.SpawnFailed(
                                        new SpawnFailure("cannot create a pipe: Too many open files", 24, true),
                                        now,
                                        random.nextDouble()),
                                false)));
            }
            if (stopPendingFor != 0) {
                options.add(new Weighted(
                        20,
                        () -> new Choice(
                                new Event.Stopped(stopPendingFor, randomStopResult(), now, random.nextDouble()),
                                false)));
            }
            if (!drainsPending.isEmpty()) {
                options.add(new Weighted(20, () -> {
                    int pid = drainsPending.remove(random.nextInt(drainsPending.size()));
                    return new Choice(new Event.Drained(pid), pid != status.pid());
                }));
            }
            int pid = status.pid();
            if (childAlive && pid != 0) {
                options.add(new Weighted(
                        status.state() == ProcessState.RUNNING ? 12 : 5,
                        () -> new Choice(new Event.Exited(pid, randomTermination(), now, random.nextDouble()), false)));
                options.add(new Weighted(
                        1,
                        () -> new Choice(
                                new Event.Failing(
                                        pid,
                                        new Failure.LimitBroken(
                                                random.nextBoolean() ? Failure.Resource.MEMORY : Failure.Resource.CPU,
                                                "over for 3 samples"),
                                        now),
                                false)));
            }
            if (readinessStarted.contains(pid)) {
                // Verdicts keep coming for a while after the probes are stopped (in flight).
                options.add(new Weighted(
                        8,
                        () -> new Choice(
                                new Event.ReadinessChanged(pid, random.nextInt(3) != 0, "probe", now), false)));
            }
            if (livenessStarted.contains(pid)) {
                options.add(new Weighted(
                        2, () -> new Choice(new Event.Failing(pid, new Failure.Liveness("no answer"), now), false)));
            }
            if (!scheduled.isEmpty()) {
                options.add(new Weighted(status.state() == ProcessState.BACKOFF ? 25 : 6, () -> {
                    Event event = scheduled.remove(random.nextInt(scheduled.size()));
                    boolean stale = switch (event) {
                        case Event.BackoffElapsed timer ->
                            timer.token() != status.budget().timerToken();
                        case Event.UptimeReached uptime -> uptime.pid() != status.pid();
                        case Event.StartPeriodElapsed period -> period.pid() != status.pid();
                        default -> throw new AssertionError("scheduled " + event);
                    };
                    return new Choice(event, stale);
                }));
            }
            if (!earlierPids.isEmpty()) {
                options.add(new Weighted(3, () -> {
                    int old = earlierPids.get(random.nextInt(earlierPids.size()));
                    Event event = switch (random.nextInt(7)) {
                        case 0 -> new Event.Exited(old, Termination.exited(1), now, random.nextDouble());
                        case 1 -> new Event.Stopped(old, randomStopResult(), now, random.nextDouble());
                        case 2 -> new Event.ReadinessChanged(old, random.nextBoolean(), "probe", now);
                        case 3 -> new Event.Drained(old);
                        case 4 -> new Event.UptimeReached(old, now);
                        case 5 -> new Event.StartPeriodElapsed(old);
                        default -> new Event.Failing(old, new Failure.Liveness("no answer"), now);
                    };
                    return new Choice(event, true);
                }));
            }
            int total = options.stream().mapToInt(Weighted::weight).sum();
            int pick = random.nextInt(total);
            for (Weighted option : options) {
                pick -= option.weight();
                if (pick < 0) {
                    return option.choice().get();
                }
            }
            throw new AssertionError("unreachable");
        }

        private record Weighted(int weight, Supplier<Choice> choice) {}

        private Termination randomTermination() {
            return switch (random.nextInt(4)) {
                case 0 -> Termination.exited(0);
                case 1 -> Termination.killed(11, "SIGSEGV", random.nextBoolean());
                default -> Termination.exited(1 + random.nextInt(3));
            };
        }

        private StopResult randomStopResult() {
            boolean forced = random.nextInt(4) == 0;
            return new StopResult(
                    forced ? Termination.killed(9, "SIGKILL", false) : Termination.killed(15, "SIGTERM", false),
                    forced,
                    null);
        }

        private void check(Status before, Choice choice, Step step) {
            Status after = step.status();
            ProcessState state = after.state();
            boolean hasChild =
                    state == ProcessState.RUNNING || state == ProcessState.DRAINING || state == ProcessState.STOPPING;
            Status.RestartBudget budget = after.budget();

            assertThat(after.pid() != 0)
                    .as(this::context)
                    .as("pid != 0 exactly in running/draining/stopping: %s", after)
                    .isEqualTo(hasChild);
            if (!hasChild) {
                assertThat(after.run())
                        .as(this::context)
                        .as("no run without a child")
                        .isEqualTo(Status.Run.NONE);
            }
            if (state != ProcessState.RUNNING) {
                assertThat(after.readiness())
                        .as(this::context)
                        .as("readiness outside running: %s", after)
                        .isEqualTo(Status.Readiness.UNKNOWN);
            }
            assertThat(after.readiness().sinceMillis() > 0)
                    .as(this::context)
                    .as("ready since a time exactly when ready: %s", after)
                    .isEqualTo(after.health() == Health.READY);
            if (after.health() == Health.READY) {
                assertThat(after.run().becameReady())
                        .as(this::context)
                        .as("ready means it became ready in this run")
                        .isTrue();
            }
            if (after.run().becameReady()) {
                assertThat(after.run().livenessWatched())
                        .as(this::context)
                        .as("liveness is watched from the first ready")
                        .isTrue();
            }
            if (after.run().failing() != null) {
                assertThat(state)
                        .as(this::context)
                        .as("a failing run is being stopped")
                        .isEqualTo(ProcessState.STOPPING);
            }
            long healthySince = after.run().healthySinceMillis();
            if (healthySince != 0) {
                assertThat(after.run().becameReady())
                        .as(this::context)
                        .as("healthy only after it became ready")
                        .isTrue();
                // (Not bounded by now: this fake engine may deliver a min_uptime timer before its time.)
                assertThat(healthySince)
                        .as(this::context)
                        .as("healthy since a moment of this run")
                        .isGreaterThanOrEqualTo(after.startedAtMillis());
                if (before.pid() == after.pid() && before.run().healthySinceMillis() != 0) {
                    assertThat(healthySince)
                            .as(this::context)
                            .as("the healthy time does not move while it lasts")
                            .isEqualTo(before.run().healthySinceMillis());
                }
            }
            if (state == ProcessState.RUNNING) {
                assertThat(healthySince != 0)
                        .as(this::context)
                        .as("running: healthy exactly while ready: %s", after)
                        .isEqualTo(after.health() == Health.READY);
            }
            if (state == ProcessState.STOPPING
                    && before.state() != ProcessState.STARTING
                    && before.pid() == after.pid()
                    && before.run().healthySinceMillis() != 0) {
                assertThat(healthySince)
                        .as(this::context)
                        .as("the healthy time is kept while it stops")
                        .isEqualTo(before.run().healthySinceMillis());
            }
            assertThat(budget.nextStartAtMillis() != 0)
                    .as(this::context)
                    .as("nextStartAtMillis set exactly in backoff: %s", after)
                    .isEqualTo(state == ProcessState.BACKOFF);
            assertThat(after.restarts())
                    .as(this::context)
                    .as("restarts never decrease, and grow one at a time")
                    .isBetween(before.restarts(), before.restarts() + 1);
            if (after.restarts() == before.restarts() + 1) {
                long since = before.run().healthySinceMillis();
                boolean healthyLongEnough =
                        since != 0 && now - since >= rules.resetAfter().toMillis();
                assertThat(budget.attempt())
                        .as(this::context)
                        .as("reset_after counts from the run's healthy time (%s)", before.run())
                        .isEqualTo(healthyLongEnough ? 1 : before.budget().attempt() + 1);
            }
            assertThat(budget.timerToken())
                    .as(this::context)
                    .as("timer tokens never go back")
                    .isGreaterThanOrEqualTo(before.budget().timerToken());
            if (rules.maxRestarts() > 0) {
                assertThat(budget.recent())
                        .as(this::context)
                        .as("never more than max_restarts within the window")
                        .hasSizeLessThanOrEqualTo(rules.maxRestarts());
                if (budget.failedStarts() > rules.maxRestarts()) {
                    assertThat(state)
                            .as(this::context)
                            .as("past max_restarts failed starts in a row: fatal")
                            .isEqualTo(ProcessState.FATAL);
                }
            }
            switch (state) {
                case BACKOFF, FATAL ->
                    assertThat(after.lastEnd())
                            .as(this::context)
                            .as("how the last run ended, in %s", state)
                            .isNotNull();
                case EXITED -> {
                    // Exited after an exit, or, with restart: "no", after the stop of a failing child.
                    assertThat(after.lastEnd())
                            .as(this::context)
                            .as("exited after an exit or a failure")
                            .isInstanceOfAny(End.Exited.class, End.Failed.class);
                    if (after.lastEnd() instanceof End.Failed failed) {
                        assertThat(rules.policy())
                                .as(this::context)
                                .as("exited after a failure only with restart: no")
                                .isEqualTo(Policy.NO);
                        assertThat(after.reason())
                                .as(this::context)
                                .isEqualTo(failed.cause().describe());
                    }
                }
                default -> {}
            }
            if (choice.event() instanceof Event.SpawnFailed failed && !before.goal()) {
                assertThat(state)
                        .as(this::context)
                        .as("a spawn failure after a stop: stopped if temporary, else fatal")
                        .isEqualTo(failed.failure().temporary() ? ProcessState.STOPPED : ProcessState.FATAL);
            }
            if (choice.event() instanceof Event.Drained && before.state() != ProcessState.DRAINING) {
                assertThat(after)
                        .as(this::context)
                        .as("a drain that ended outside draining changes nothing")
                        .isEqualTo(before);
                assertThat(step.effects()).as(this::context).isEmpty();
            }
            if (after.completed()) {
                assertThat(state)
                        .as(this::context)
                        .as("completed only in exited")
                        .isEqualTo(ProcessState.EXITED);
                assertThat(after.lastEnd().success())
                        .as(this::context)
                        .as("completed only after a success")
                        .isTrue();
            }
            if (choice.stale()) {
                assertThat(after)
                        .as(this::context)
                        .as("stale news changes nothing")
                        .isEqualTo(before);
                assertThat(step.effects())
                        .as(this::context)
                        .as("stale news does nothing")
                        .isEmpty();
            }
            for (Effect effect : step.effects()) {
                switch (effect) {
                    case Spawn spawn ->
                        assertThat(state)
                                .as(this::context)
                                .as("Spawn only with starting")
                                .isEqualTo(ProcessState.STARTING);
                    case StopChild stop ->
                        assertThat(state)
                                .as(this::context)
                                .as("StopChild only with stopping")
                                .isEqualTo(ProcessState.STOPPING);
                    case Drain drain -> {
                        assertThat(rules.drains())
                                .as(this::context)
                                .as("Drain only for a process that drains")
                                .isTrue();
                        assertThat(state)
                                .as(this::context)
                                .as("Drain only with draining")
                                .isEqualTo(ProcessState.DRAINING);
                        assertThat(drain.pid())
                                .as(this::context)
                                .as("Drain of the current child")
                                .isEqualTo(after.pid());
                        assertThat(choice.event())
                                .as(this::context)
                                .as("a failing child is never drained")
                                .isNotInstanceOf(Event.Failing.class);
                        assertThat(before.run().becameReady())
                                .as(this::context)
                                .as("only a child that has been ready is drained")
                                .isTrue();
                    }
                    case StartReadiness probe -> {
                        assertThat(rules.hasReadinessProbe())
                                .as(this::context)
                                .as("StartReadiness only with a readiness probe")
                                .isTrue();
                        assertThat(state)
                                .as(this::context)
                                .as("StartReadiness only with running")
                                .isEqualTo(ProcessState.RUNNING);
                        assertThat(probe.pid())
                                .as(this::context)
                                .as("StartReadiness for the current child")
                                .isEqualTo(after.pid());
                    }
                    case StartLiveness probe -> {
                        assertThat(state)
                                .as(this::context)
                                .as("StartLiveness only with running")
                                .isEqualTo(ProcessState.RUNNING);
                        assertThat(probe.pid())
                                .as(this::context)
                                .as("StartLiveness for the current child")
                                .isEqualTo(after.pid());
                        assertThat(after.run().livenessWatched())
                                .as(this::context)
                                .as("StartLiveness marks the run watched")
                                .isTrue();
                        assertThat(before.run().livenessWatched() && before.pid() == probe.pid())
                                .as(this::context)
                                .as("StartLiveness once per run")
                                .isFalse();
                    }
                    case Schedule schedule -> {
                        switch (schedule.event()) {
                            case Event.BackoffElapsed timer -> {
                                assertThat(state)
                                        .as(this::context)
                                        .as("a backoff timer only with backoff")
                                        .isEqualTo(ProcessState.BACKOFF);
                                assertThat(timer.token())
                                        .as(this::context)
                                        .as("the timer carries the current token")
                                        .isEqualTo(budget.timerToken());
                                assertThat(schedule.delay())
                                        .as(this::context)
                                        .as("backoff delay")
                                        .isPositive();
                                assertThat(budget.nextStartAtMillis())
                                        .as(this::context)
                                        .as("nextStartAtMillis is when the timer fires")
                                        .isEqualTo(now + schedule.delay().toMillis());
                                double jitter = switch (choice.event()) {
                                    case Event.Exited e -> e.jitter();
                                    case Event.Stopped e -> e.jitter();
                                    case Event.SpawnFailed e -> e.jitter();
                                    default ->
                                        throw new AssertionError(context() + "a backoff after " + choice.event());
                                };
                                long nominal =
                                        rules.backoff(budget.attempt() - 1).toMillis();
                                assertThat(schedule.delay().toMillis())
                                        .as(this::context)
                                        .as("every automatic restart is jittered ±10%% by its event")
                                        .isEqualTo(Math.round(nominal * (0.9 + 0.2 * jitter)));
                            }
                            case Event.UptimeReached uptime -> {
                                assertThat(rules.hasReadinessProbe())
                                        .as(this::context)
                                        .as("min_uptime only without a probe")
                                        .isFalse();
                                assertThat(state)
                                        .as(this::context)
                                        .as("an uptime timer only with running")
                                        .isEqualTo(ProcessState.RUNNING);
                                assertThat(uptime.pid()).as(this::context).isEqualTo(after.pid());
                                assertThat(schedule.delay()).as(this::context).isEqualTo(rules.minUptime());
                                assertThat(uptime.atMillis())
                                        .as(this::context)
                                        .isEqualTo(now + rules.minUptime().toMillis());
                            }
                            case Event.StartPeriodElapsed period -> {
                                assertThat(state)
                                        .as(this::context)
                                        .as("a start period only with running")
                                        .isEqualTo(ProcessState.RUNNING);
                                assertThat(period.pid()).as(this::context).isEqualTo(after.pid());
                                assertThat(schedule.delay()).as(this::context).isEqualTo(rules.startPeriod());
                            }
                            default -> throw new AssertionError(context() + "scheduled " + schedule.event());
                        }
                    }
                    default -> {}
                }
            }
            assertThat(state == ProcessState.STOPPED && after.goal() && after.dependenciesMet())
                    .as(this::context)
                    .as("a wanted process with its dependencies met is never left stopped: %s", after)
                    .isFalse();
        }

        private void feedBack(Status before, Choice choice, Step step) {
            if (!choice.stale()) {
                switch (choice.event()) {
                    case Event.Spawned spawned -> {
                        spawnPending = false;
                        childAlive = true;
                    }
                    case Event.SpawnFailed failed -> spawnPending = false;
                    case Event.Exited exited -> childAlive = false;
                    case Event.Stopped stopped -> {
                        stopPendingFor = 0;
                        childAlive = false;
                    }
                    default -> {}
                }
            }
            if (before.pid() != 0 && before.pid() != status.pid()) {
                earlierPids.add(before.pid());
            }
            for (Effect effect : step.effects()) {
                switch (effect) {
                    case Spawn spawn -> {
                        assertThat(spawnPending)
                                .as(this::context)
                                .as("Spawn while a spawn is pending")
                                .isFalse();
                        spawnPending = true;
                    }
                    case StopChild stop -> {
                        assertThat(stopPendingFor)
                                .as(this::context)
                                .as("StopChild while a stop is pending")
                                .isZero();
                        stopPendingFor = status.pid();
                    }
                    case Drain drain -> {
                        assertThat(drainsPending)
                                .as(this::context)
                                .as("Drain twice for one child")
                                .doesNotContain(drain.pid());
                        drainsPending.add(drain.pid());
                    }
                    case Schedule schedule -> scheduled.add(schedule.event());
                    case StartReadiness probe -> readinessStarted.add(probe.pid());
                    case StartLiveness probe ->
                        assertThat(livenessStarted.add(probe.pid()))
                                .as(this::context)
                                .as("StartLiveness twice for child %d", probe.pid())
                                .isTrue();
                    default -> {}
                }
            }
        }

        /** What the engine is waiting for matches the state: nothing can wedge. */
        private void checkEngine() {
            ProcessState state = status.state();
            int pid = status.pid();
            assertThat(spawnPending)
                    .as(this::context)
                    .as("a spawn is pending exactly in starting")
                    .isEqualTo(state == ProcessState.STARTING);
            assertThat(stopPendingFor)
                    .as(this::context)
                    .as("a stop is pending exactly in stopping, for its child")
                    .isEqualTo(state == ProcessState.STOPPING ? pid : 0);
            if (state == ProcessState.DRAINING) {
                assertThat(drainsPending)
                        .as(this::context)
                        .as("in draining, its drain is pending")
                        .contains(pid);
                assertThat(childAlive)
                        .as(this::context)
                        .as("draining has a live child")
                        .isTrue();
            }
            if (state == ProcessState.BACKOFF) {
                assertThat(scheduled)
                        .as(this::context)
                        .as("in backoff, its timer is pending")
                        .contains(new Event.BackoffElapsed(status.budget().timerToken()));
            }
            if (state == ProcessState.RUNNING) {
                assertThat(childAlive)
                        .as(this::context)
                        .as("running has a live child")
                        .isTrue();
                if (!status.run().becameReady()) {
                    if (rules.hasReadinessProbe()) {
                        assertThat(readinessStarted)
                                .as(this::context)
                                .as("not ready yet: its readiness probe runs")
                                .contains(pid);
                    } else {
                        assertThat(scheduled)
                                .as(this::context)
                                .as("not ready yet: its min_uptime timer is pending")
                                .anyMatch(e -> e instanceof Event.UptimeReached u && u.pid() == pid);
                    }
                }
                if (!status.run().livenessWatched() && rules.startPeriod() != null) {
                    assertThat(scheduled)
                            .as(this::context)
                            .as("liveness not watched yet: its start period is pending")
                            .contains(new Event.StartPeriodElapsed(pid));
                }
                assertThat(livenessStarted.contains(pid))
                        .as(this::context)
                        .as("a watched run had its liveness started")
                        .isEqualTo(status.run().livenessWatched());
            }
        }

        private void remember(String line) {
            history.addLast(steps + ": " + line);
            if (history.size() > 25) {
                history.removeFirst();
            }
        }

        private String context() {
            return "seed " + seed + ", " + rules + ", step " + steps + ", last events:\n  "
                    + String.join("\n  ", history) + "\n";
        }
    }

    private static RestartRules randomRules(Random random) {
        Policy policy = Policy.values()[random.nextInt(Policy.values().length)];
        int maxRestarts = List.of(0, 0, 2, 5).get(random.nextInt(4));
        Duration window = Duration.ofSeconds(List.of(5, 60).get(random.nextInt(2)));
        Duration initial = Duration.ofMillis(List.of(0, 200, 1_000).get(random.nextInt(3)));
        Duration max = Duration.ofSeconds(List.of(2, 30).get(random.nextInt(2)));
        double multiplier = List.of(1.5, 2.0).get(random.nextInt(2));
        Duration resetAfter = Duration.ofSeconds(List.of(1, 10).get(random.nextInt(2)));
        boolean probe = random.nextBoolean();
        Duration minUptime = Duration.ofMillis(List.of(0, 300, 1_000).get(random.nextInt(3)));
        Duration startPeriod = random.nextBoolean() ? null : Duration.ofSeconds(2);
        boolean drains = random.nextBoolean();
        return new RestartRules(
                policy,
                maxRestarts,
                window,
                initial,
                max,
                multiplier,
                resetAfter,
                probe,
                minUptime,
                startPeriod,
                drains,
                false);
    }
}
