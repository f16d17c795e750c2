package dev.drover.state;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drover.state.Effect.ScheduleBackoff;
import dev.drover.state.Effect.Spawn;
import dev.drover.state.Effect.StartProbes;
import dev.drover.state.Effect.StopChild;
import dev.drover.state.RestartRules.Policy;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.Supplier;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Long seeded-random runs of events that can really happen at each point: a fake engine answers
 * every effect (Spawn → Spawned, StopChild → Stopped, ScheduleBackoff → BackoffElapsed with its
 * token), mixed with user commands, child exits, probe verdicts and stale news; the invariants are
 * checked after every single step.
 */
class TransitionRandomSequenceTest {
    private static final int STEPS = 20_000;

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 5, 8, 13, 21, 42, 1337, 65_537, 20_240_601, 987_654_321, -7})
    void randomValidEventSequencesKeepTheInvariants(long seed) {
        Run run = new Run(seed);

        for (int i = 0; i < STEPS; i++) {
            run.step();
        }

        assertThat(run.visited)
                .as("states reached with seed %d and %s", seed, run.rules)
                .contains(ProcessState.STOPPED, ProcessState.STARTING, ProcessState.RUNNING, ProcessState.STOPPING, ProcessState.FATAL);
    }

    /** One process and a fake engine that feeds back what the effects ask for. */
    private static final class Run {
        private final long seed;
        private final Random random;
        private final RestartRules rules;
        private final Set<ProcessState> visited = EnumSet.noneOf(ProcessState.class);
        private final Deque<String> history = new ArrayDeque<>();
        private final List<Long> pendingTimers = new ArrayList<>();
        private final List<Integer> earlierPids = new ArrayList<>();

        private Status status;
        private long now = 1_700_000_000_000L;
        private int nextPid = 100;
        private boolean spawnPending;
        private int stopPendingFor;
        private boolean childAlive;
        private int steps;

        Run(long seed) {
            this.seed = seed;
            this.random = new Random(seed);
            this.rules = randomRules(random);
            this.status = Status.initial(random.nextBoolean());
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
            feedBack(choice, step);
            checkEngine();
        }

        private record Choice(Event event, boolean stale) {}

        private Choice choose() {
            List<Weighted> options = new ArrayList<>();
            options.add(new Weighted(3, () -> new Choice(new Event.Start(), false)));
            options.add(new Weighted(3, () -> new Choice(new Event.Stop(), false)));
            options.add(new Weighted(2, () -> new Choice(new Event.Restart(), false)));
            options.add(new Weighted(3, () -> new Choice(random.nextInt(3) == 0
                    ? new Event.DependenciesChanged(false, "db (healthy)")
                    : new Event.DependenciesChanged(true, null), false)));
            if (spawnPending) {
                options.add(new Weighted(30, () -> new Choice(new Event.Spawned(nextPid++, now), false)));
                options.add(new Weighted(1, () -> new Choice(new Event.SpawnFailed("no such file: /bin/nope"), false)));
            }
            if (stopPendingFor != 0) {
                options.add(new Weighted(20, () -> new Choice(
                        new Event.Stopped(stopPendingFor, "signal TERM", random.nextInt(4) == 0, now), false)));
            }
            int pid = status.pid();
            if (childAlive && (status.state() == ProcessState.RUNNING || status.state() == ProcessState.STOPPING)) {
                options.add(new Weighted(status.state() == ProcessState.RUNNING ? 12 : 5, () -> {
                    boolean success = random.nextBoolean();
                    return new Choice(new Event.Exited(pid, success ? "exit code 0" : "exit code 1", success, now, random.nextDouble()), false);
                }));
                options.add(new Weighted(8, () -> new Choice(new Event.ReadinessChanged(pid, random.nextInt(3) != 0, "probe", now), false)));
                options.add(new Weighted(2, () -> new Choice(new Event.Failing(pid, "liveness failed: no answer", now), false)));
            }
            if (!pendingTimers.isEmpty()) {
                options.add(new Weighted(status.state() == ProcessState.BACKOFF ? 25 : 2, () -> {
                    long token = pendingTimers.remove(random.nextInt(pendingTimers.size()));
                    return new Choice(new Event.BackoffElapsed(token), token != status.timerToken());
                }));
            }
            if (!earlierPids.isEmpty()) {
                options.add(new Weighted(3, () -> {
                    int old = earlierPids.get(random.nextInt(earlierPids.size()));
                    Event event = switch (random.nextInt(4)) {
                        case 0 -> new Event.Exited(old, "exit code 1", false, now, random.nextDouble());
                        case 1 -> new Event.Stopped(old, "signal TERM", false, now);
                        case 2 -> new Event.ReadinessChanged(old, random.nextBoolean(), "probe", now);
                        default -> new Event.Failing(old, "liveness failed: no answer", now);
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

        private void check(Status before, Choice choice, Step step) {
            Status after = step.status();
            ProcessState state = after.state();
            boolean hasChild = state == ProcessState.RUNNING || state == ProcessState.STOPPING;

            assertThat(after.pid() != 0).as(this::context).as("pid != 0 exactly in running/stopping: %s", after).isEqualTo(hasChild);
            if (state != ProcessState.RUNNING) {
                assertThat(after.health()).as(this::context).as("health outside running: %s", after).isEqualTo(Health.UNKNOWN);
            }
            assertThat(after.restarts()).as(this::context).as("restarts never decrease").isGreaterThanOrEqualTo(before.restarts());
            if (choice.stale()) {
                assertThat(after).as(this::context).as("stale news changes nothing").isEqualTo(before);
                assertThat(step.effects()).as(this::context).as("stale news does nothing").isEmpty();
            }
            for (Effect effect : step.effects()) {
                switch (effect) {
                    case Spawn spawn -> assertThat(state).as(this::context).as("Spawn only with starting").isEqualTo(ProcessState.STARTING);
                    case StopChild stop -> assertThat(state).as(this::context).as("StopChild only with stopping").isEqualTo(ProcessState.STOPPING);
                    case StartProbes probes -> {
                        assertThat(state).as(this::context).as("StartProbes only with running").isEqualTo(ProcessState.RUNNING);
                        assertThat(probes.pid()).as(this::context).as("StartProbes for the current child").isEqualTo(after.pid());
                    }
                    case ScheduleBackoff timer -> {
                        assertThat(state).as(this::context).as("ScheduleBackoff only with backoff").isEqualTo(ProcessState.BACKOFF);
                        assertThat(timer.token()).as(this::context).as("ScheduleBackoff carries the current token").isEqualTo(after.timerToken());
                        assertThat(timer.delay()).as(this::context).as("backoff delay").isPositive();
                    }
                    default -> {}
                }
            }
            assertThat(state == ProcessState.STOPPED && after.goal() && after.dependenciesMet())
                    .as(this::context)
                    .as("a wanted process with its dependencies met is never left stopped: %s", after)
                    .isFalse();
        }

        private void feedBack(Choice choice, Step step) {
            if (!choice.stale()) {
                switch (choice.event()) {
                    case Event.Spawned spawned -> {
                        spawnPending = false;
                        childAlive = true;
                    }
                    case Event.SpawnFailed failed -> spawnPending = false;
                    case Event.Exited exited -> {
                        childAlive = false;
                        if (status.pid() == 0) {
                            earlierPids.add(exited.pid());
                        }
                    }
                    case Event.Stopped stopped -> {
                        stopPendingFor = 0;
                        childAlive = false;
                        earlierPids.add(stopped.pid());
                    }
                    default -> {}
                }
            }
            for (Effect effect : step.effects()) {
                switch (effect) {
                    case Spawn spawn -> {
                        assertThat(spawnPending).as(this::context).as("Spawn while a spawn is pending").isFalse();
                        spawnPending = true;
                    }
                    case StopChild stop -> {
                        assertThat(stopPendingFor).as(this::context).as("StopChild while a stop is pending").isZero();
                        stopPendingFor = status.pid();
                    }
                    case ScheduleBackoff timer -> pendingTimers.add(timer.token());
                    default -> {}
                }
            }
        }

        /** What the engine is waiting for matches the state: nothing can wedge. */
        private void checkEngine() {
            ProcessState state = status.state();
            assertThat(spawnPending).as(this::context).as("a spawn is pending exactly in starting").isEqualTo(state == ProcessState.STARTING);
            assertThat(stopPendingFor).as(this::context).as("a stop is pending exactly in stopping, for its child")
                    .isEqualTo(state == ProcessState.STOPPING ? status.pid() : 0);
            if (state == ProcessState.BACKOFF) {
                assertThat(pendingTimers).as(this::context).as("in backoff, its timer is pending").contains(status.timerToken());
            }
            if (state == ProcessState.RUNNING) {
                assertThat(childAlive).as(this::context).as("running has a live child").isTrue();
            }
        }

        private void remember(String line) {
            history.addLast(steps + ": " + line);
            if (history.size() > 25) {
                history.removeFirst();
            }
        }

        private String context() {
            return "seed " + seed + ", " + rules + ", step " + steps + ", last events:\n  " + String.join("\n  ", history) + "\n";
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
        return new RestartRules(policy, maxRestarts, window, initial, max, multiplier, resetAfter, random.nextBoolean());
    }
}
