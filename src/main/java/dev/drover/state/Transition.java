package dev.drover.state;

import static dev.drover.state.ProcessState.BACKOFF;
import static dev.drover.state.ProcessState.DRAINING;
import static dev.drover.state.ProcessState.EXITED;
import static dev.drover.state.ProcessState.FATAL;
import static dev.drover.state.ProcessState.RUNNING;
import static dev.drover.state.ProcessState.STARTING;
import static dev.drover.state.ProcessState.STOPPED;
import static dev.drover.state.ProcessState.STOPPING;

import dev.drover.state.Effect.Announce;
import dev.drover.state.Effect.CleanUpExited;
import dev.drover.state.Effect.Drain;
import dev.drover.state.Effect.Schedule;
import dev.drover.state.Effect.Spawn;
import dev.drover.state.Effect.StartLiveness;
import dev.drover.state.Effect.StartReadiness;
import dev.drover.state.Effect.StopChild;
import dev.drover.state.Effect.StopProbes;
import dev.drover.state.Status.Readiness;
import dev.drover.state.Status.RestartBudget;
import dev.drover.state.Status.Run;
import dev.drover.state.Status.Waiting;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The lifecycle of one process as a pure function: {@code next(status, event) → (status, effects)}.
 * Every handler switches over every state, so a new state does not compile until each event has an
 * answer for it. News about a child that is no longer current (a stale PID or timer) is ignored
 * in every state; an event that cannot happen in a state throws. The table is in docs/lifecycle.md.
 */
public final class Transition {
    private Transition() {}

    public static Step next(Status s, Event event, RestartRules rules) {
        return switch (event) {
            case Event.Start e -> start(s);
            case Event.Stop e -> stop(s, rules);
            case Event.Restart e -> restart(s, rules);
            case Event.DependenciesChanged e -> dependencies(s, e);
            case Event.Spawned e -> spawned(s, e, rules);
            case Event.SpawnFailed e -> spawnFailed(s, e, rules);
            case Event.Exited e -> exited(s, e, rules);
            case Event.Stopped e -> stopped(s, e, rules);
            case Event.Drained e -> drained(s, e);
            case Event.BackoffElapsed e -> backoffElapsed(s, e);
            case Event.ReadinessChanged e -> readiness(s, e);
            case Event.UptimeReached e -> uptimeReached(s, e, rules);
            case Event.StartPeriodElapsed e -> startPeriodElapsed(s, e);
            case Event.Failing e -> failing(s, e);
        };
    }

    private static Step start(Status s) {
        Status wanted = s.wanted(true);
        return switch (s.state()) {
            case STOPPED -> launch(wanted);
            // A user's start after giving up or finishing begins a fresh restart budget.
            case EXITED, FATAL -> launch(wanted.budget(s.budget().renewed()));
            // Cancels the pending backoff timer by moving to a new token.
            case BACKOFF -> launch(wanted.budget(s.budget().cancelTimer()));
            case STARTING, RUNNING -> step(wanted);
            // Asked for by the user while a failure stops it: a plain restart now, not a counted failure.
            case DRAINING, STOPPING -> step(wanted.run(s.run().failing(null)));
        };
    }

    private static Step stop(Status s, RestartRules rules) {
        Status unwanted = s.wanted(false);
        return switch (s.state()) {
            // STARTING: the child is stopped the moment it is spawned.
            case STOPPED, STARTING, DRAINING, STOPPING, EXITED, FATAL -> step(unwanted);
            case RUNNING -> leave(unwanted, "stopping", rules);
            case BACKOFF ->
                step(unwanted.budget(s.budget().cancelTimer()).in(STOPPED).because("stopped"));
        };
    }

    private static Step restart(Status s, RestartRules rules) {
        return switch (s.state()) {
            case RUNNING -> leave(s.wanted(true), "restarting", rules);
            case STARTING -> step(s.wanted(true));
            case DRAINING, STOPPING, STOPPED, EXITED, FATAL, BACKOFF -> start(s);
        };
    }

    private static Step dependencies(Status s, Event.DependenciesChanged e) {
        Status updated = s.waiting(Waiting.of(e.met(), e.waitingFor()));
        return switch (s.state()) {
            // Wanted and waiting: start now, or say what it waits for now.
            case STOPPED -> s.goal() ? launch(updated) : step(updated);
            case STARTING, RUNNING, DRAINING, BACKOFF, STOPPING, EXITED, FATAL -> step(updated);
        };
    }

    private static Step spawned(Status s, Event.Spawned e, RestartRules rules) {
        return switch (s.state()) {
            case STARTING -> {
                Status child =
                        s.run(Run.of(e.pid(), e.atMillis())).because(null).in(RUNNING);
                // Stopped while it was being spawned: the stop wins (it never took traffic, so no drain).
                yield s.goal() ? running(child, e, rules) : stopChild(child, "stopping");
            }
            case STOPPED, RUNNING, DRAINING, BACKOFF, STOPPING, EXITED, FATAL ->
                throw new IllegalTransitionException(s.state(), e);
        };
    }

    /** A child was just spawned: watch its readiness (a probe, or how long it stays up) and, later, its liveness. */
    private static Step running(Status s, Event.Spawned e, RestartRules rules) {
        int pid = e.pid();
        List<Effect> effects = new ArrayList<>();
        Status next = s.readiness(Readiness.UNKNOWN);
        if (rules.hasReadinessProbe()) {
            effects.add(new StartReadiness(pid));
        } else if (rules.readyByNotify()) {
            // Its READY=1 comes as a ReadinessChanged, like a probe's verdict.
        } else if (rules.minUptime().isZero()) {
            next = next.readiness(new Readiness(Health.READY, e.atMillis()))
                    .run(next.run().ready(e.atMillis()).watched())
                    .budget(next.budget().readyAgain());
            effects.add(new StartLiveness(pid));
        } else {
            effects.add(new Schedule(
                    rules.minUptime(),
                    new Event.UptimeReached(
                            pid, e.atMillis() + rules.minUptime().toMillis())));
        }
        if (rules.startPeriod() != null && !next.run().livenessWatched()) {
            effects.add(new Schedule(rules.startPeriod(), new Event.StartPeriodElapsed(pid)));
        }
        effects.add(new Announce("started (pid " + pid + ")"));
        return new Step(next, effects);
    }

    private static Step spawnFailed(Status s, Event.SpawnFailed e, RestartRules rules) {
        return switch (s.state()) {
            case STARTING -> {
                SpawnFailure failure = e.failure();
                Status gone = s.run(Run.NONE).readiness(Readiness.UNKNOWN).ended(new End.NotSpawned(failure));
                if (failure.temporary() && s.goal()) {
                    // The system is short of something for now: back off and try again, within the budget.
                    // (Also with restart: "no": it never ran.)
                    yield afterFailure(s, gone, failure.detail(), e.atMillis(), e.jitter(), rules, List.of());
                }
                if (failure.temporary()) {
                    // Stopped while it was being spawned: what was asked for is what it is now.
                    yield step(
                            gone.in(STOPPED).because("stopped (" + failure.detail() + ")"),
                            new Announce("stopped before it started: " + failure.detail()));
                }
                yield step(gone.in(FATAL).because(failure.detail()), new Announce("fatal: " + failure.detail()));
            }
            case STOPPED, RUNNING, DRAINING, BACKOFF, STOPPING, EXITED, FATAL ->
                throw new IllegalTransitionException(s.state(), e);
        };
    }

    private static Step exited(Status s, Event.Exited e, RestartRules rules) {
        if (stale(s, e.pid())) {
            return step(s);
        }
        return switch (s.state()) {
            case RUNNING -> exitedWhileRunning(s, e, rules);
            case DRAINING -> exitedWhileDraining(s, e);
            // The stop's own result (Stopped) follows and carries this exit.
            case STOPPING -> step(s);
            case STOPPED, STARTING, BACKOFF, EXITED, FATAL -> throw new IllegalTransitionException(s.state(), e);
        };
    }

    private static Step exitedWhileRunning(Status s, Event.Exited e, RestartRules rules) {
        End end = new End.Exited(e.termination());
        Status gone = s.ended(end).run(Run.NONE).readiness(Readiness.UNKNOWN);
        boolean restart = switch (rules.policy()) {
            case ALWAYS -> true;
            case ON_FAILURE -> !end.success();
            case NO -> false;
        };
        String what = "exited (" + end.describe() + ")";
        if (!restart || !s.goal()) {
            return step(gone.in(EXITED).because(what), new StopProbes(), new CleanUpExited(), new Announce(what));
        }
        return afterFailure(
                s, gone, what, e.atMillis(), e.jitter(), rules, List.of(new StopProbes(), new CleanUpExited()));
    }

    /** It was on its way out anyway: gone without the stop signal; started again only if a restart asked for it. */
    private static Step exitedWhileDraining(Status s, Event.Exited e) {
        End end = new End.Exited(e.termination());
        String what = "exited while draining (" + end.describe() + ")";
        Status gone = s.ended(end)
                .run(Run.NONE)
                .readiness(Readiness.UNKNOWN)
                .in(STOPPED)
                .because(what);
        List<Effect> effects = new ArrayList<>(List.of(new StopProbes(), new CleanUpExited(), new Announce(what)));
        if (!s.goal()) {
            return new Step(gone, effects);
        }
        Step relaunch = launch(gone);
        effects.addAll(relaunch.effects());
        return new Step(relaunch.status(), effects);
    }

    /**
     * A child ended unexpectedly and its policy wants it back: count the restart; give up past
     * max_restarts within the window, or past max_restarts failed starts in a row (runs that ended
     * before it became ready); else restart after the backoff (and once dependencies allow).
     */
    private static Step afterFailure(
            Status s, Status gone, String what, long atMillis, double jitter, RestartRules rules, List<Effect> first) {
        List<Effect> effects = new ArrayList<>(first);
        RestartBudget budget = s.budget();
        List<Long> recent = new ArrayList<>();
        for (long at : budget.recent()) {
            if (atMillis - at < rules.window().toMillis()) {
                recent.add(at);
            }
        }
        int failedStarts = s.run().becameReady() ? 0 : budget.failedStarts() + 1;
        String givingUp = null;
        if (rules.maxRestarts() > 0 && recent.size() >= rules.maxRestarts()) {
            givingUp = what + "; restarted " + recent.size() + " times within " + format(rules.window())
                    + " (max_restarts " + rules.maxRestarts() + "), giving up";
        } else if (rules.maxRestarts() > 0 && failedStarts > rules.maxRestarts()) {
            givingUp = what + "; it ended before it was ready " + failedStarts + " times in a row (max_restarts "
                    + rules.maxRestarts() + "), giving up";
        }
        if (givingUp != null) {
            effects.add(new Announce("fatal: " + givingUp));
            Status fatal = gone.budget(new RestartBudget(
                    budget.restarts(), recent, budget.attempt(), failedStarts, budget.timerToken(), 0));
            return new Step(fatal.in(FATAL).because(givingUp), effects);
        }
        long healthySince = s.run().healthySinceMillis();
        boolean ranHealthyLongEnough = healthySince > 0
                && atMillis - healthySince >= rules.resetAfter().toMillis();
        int attempt = ranHealthyLongEnough ? 0 : budget.attempt();
        recent.add(atMillis);
        Duration delay = jittered(rules.backoff(attempt), jitter);
        long token = budget.timerToken() + 1;
        if (delay.isZero()) {
            Status counted = gone.budget(
                            new RestartBudget(budget.restarts() + 1, recent, attempt + 1, failedStarts, token, 0))
                    .because(what);
            effects.add(new Announce(what + "; restarting"));
            Step relaunch = launch(counted);
            effects.addAll(relaunch.effects());
            return new Step(relaunch.status(), effects);
        }
        RestartBudget waiting = new RestartBudget(
                budget.restarts() + 1, recent, attempt + 1, failedStarts, token, atMillis + delay.toMillis());
        effects.add(new Announce(what + "; restarting in " + format(delay)));
        effects.add(new Schedule(delay, new Event.BackoffElapsed(token)));
        return new Step(gone.budget(waiting).because(what).in(BACKOFF), effects);
    }

    private static Step stopped(Status s, Event.Stopped e, RestartRules rules) {
        if (stale(s, e.pid())) {
            return step(s);
        }
        return switch (s.state()) {
            case STOPPING -> stoppedWhileStopping(s, e, rules);
            case STOPPED, STARTING, RUNNING, DRAINING, BACKOFF, EXITED, FATAL ->
                throw new IllegalTransitionException(s.state(), e);
        };
    }

    private static Step stoppedWhileStopping(Status s, Event.Stopped e, RestartRules rules) {
        Failure failing = s.run().failing();
        End end = failing != null ? new End.Failed(failing, e.result()) : new End.Stopped(e.result());
        String what = "stopped (" + e.result().describe() + ")";
        Status gone = s.run(Run.NONE)
                .readiness(Readiness.UNKNOWN)
                .ended(end)
                .because(what)
                .in(STOPPED);
        if (failing != null && s.goal() && rules.policy() == RestartRules.Policy.NO) {
            // Killed for failing, and its policy never restarts: it ends like a process that exited.
            return step(
                    gone.in(EXITED).because(failing.describe()),
                    new Announce(what + "; not restarted (restart: \"no\")"));
        }
        if (failing != null && s.goal()) {
            // Killed for failing (liveness, a resource limit): a failure like a crash, under the same budget and
            // backoff.
            return afterFailure(
                    s, gone, failing.describe(), e.atMillis(), e.jitter(), rules, List.of(new Announce(what)));
        }
        if (!s.goal()) {
            return step(gone, new Announce(what));
        }
        List<Effect> effects = new ArrayList<>();
        effects.add(new Announce(what));
        Step relaunch = launch(gone);
        effects.addAll(relaunch.effects());
        return new Step(relaunch.status(), effects);
    }

    private static Step drained(Status s, Event.Drained e) {
        if (stale(s, e.pid())) {
            return step(s);
        }
        return switch (s.state()) {
            case DRAINING -> stopChild(s, "drained; " + (s.goal() ? "restarting" : "stopping"));
            // The drain ended after the stop began without it (a failure cut it short).
            case STOPPING -> step(s);
            case STOPPED, STARTING, RUNNING, BACKOFF, EXITED, FATAL ->
                throw new IllegalTransitionException(s.state(), e);
        };
    }

    private static Step backoffElapsed(Status s, Event.BackoffElapsed e) {
        return switch (s.state()) {
            case BACKOFF -> {
                if (e.token() != s.budget().timerToken()) {
                    yield step(s);
                }
                Status due = s.budget(s.budget().cancelTimer()).in(STOPPED);
                yield s.goal() ? launch(due) : step(due);
            }
            // A timer that a start or stop cancelled.
            case STOPPED, STARTING, RUNNING, DRAINING, STOPPING, EXITED, FATAL -> step(s);
        };
    }

    private static Step readiness(Status s, Event.ReadinessChanged e) {
        if (stale(s, e.pid())) {
            return step(s);
        }
        return switch (s.state()) {
            case RUNNING -> {
                if (e.ready() && s.health() != Health.READY) {
                    yield becameReady(s, e.atMillis(), new Announce("ready"));
                }
                if (!e.ready() && s.health() != Health.NOT_READY) {
                    yield step(
                            s.readiness(new Readiness(Health.NOT_READY, 0))
                                    .run(s.run().notReady())
                                    .because(e.detail()),
                            new Announce("not ready: " + e.detail()));
                }
                yield step(s);
            }
            // A verdict that was on its way when the probes were stopped.
            case DRAINING, STOPPING -> step(s);
            case STOPPED, STARTING, BACKOFF, EXITED, FATAL -> throw new IllegalTransitionException(s.state(), e);
        };
    }

    private static Step uptimeReached(Status s, Event.UptimeReached e, RestartRules rules) {
        if (stale(s, e.pid())) {
            return step(s);
        }
        return switch (s.state()) {
            case RUNNING ->
                rules.hasReadinessProbe() || rules.readyByNotify() || s.health() == Health.READY
                        ? step(s)
                        : becameReady(
                                s, e.atMillis(), new Announce("ready (up for " + format(rules.minUptime()) + ")"));
            case DRAINING, STOPPING -> step(s);
            case STOPPED, STARTING, BACKOFF, EXITED, FATAL -> throw new IllegalTransitionException(s.state(), e);
        };
    }

    private static Step startPeriodElapsed(Status s, Event.StartPeriodElapsed e) {
        if (stale(s, e.pid())) {
            return step(s);
        }
        return switch (s.state()) {
            case RUNNING ->
                s.run().livenessWatched() ? step(s) : step(s.run(s.run().watched()), new StartLiveness(e.pid()));
            case DRAINING, STOPPING -> step(s);
            case STOPPED, STARTING, BACKOFF, EXITED, FATAL -> throw new IllegalTransitionException(s.state(), e);
        };
    }

    private static Step failing(Status s, Event.Failing e) {
        if (stale(s, e.pid())) {
            return step(s);
        }
        return switch (s.state()) {
            // The restart is counted when the stop completes, through the same path as a crash.
            // A failing child is not drained: it is stopped at once.
            case RUNNING ->
                stopChild(
                        s.wanted(true)
                                .run(s.run().failing(e.cause()))
                                .because(e.cause().describe()),
                        e.cause().describe() + "; stopping to restart");
            // Failing while it drains: no more waiting, stopped now; its end is recorded as the failure.
            case DRAINING ->
                stopChild(
                        s.run(s.run().failing(e.cause())).because(e.cause().describe()),
                        e.cause().describe() + "; stopping now instead of draining");
            // Already on its way out.
            case STOPPING -> step(s);
            case STOPPED, STARTING, BACKOFF, EXITED, FATAL -> throw new IllegalTransitionException(s.state(), e);
        };
    }

    /** Ready in this run: from now its liveness counts, and a failed start is no longer possible. */
    private static Step becameReady(Status s, long atMillis, Effect... announce) {
        List<Effect> effects = new ArrayList<>(List.of(announce));
        Run run = s.run().ready(atMillis);
        if (!run.livenessWatched()) {
            run = run.watched();
            effects.add(new StartLiveness(run.pid()));
        }
        Status ready = s.readiness(new Readiness(Health.READY, atMillis))
                .run(run)
                .budget(s.budget().readyAgain());
        return new Step(ready, effects);
    }

    /** Spawns if the dependencies allow, else waits in STOPPED. */
    private static Step launch(Status s) {
        if (!s.dependenciesMet()) {
            return step(s.in(STOPPED), new Announce("waiting for " + s.waitingFor()));
        }
        return step(s.in(STARTING), new Spawn());
    }

    /**
     * Out of RUNNING on request: drained first when it may have requests in flight (it is routed and
     * has been ready in this run), else stopped at once.
     */
    private static Step leave(Status s, String why, RestartRules rules) {
        if (!rules.drains() || !s.run().becameReady()) {
            return stopChild(s, why);
        }
        return step(
                s.in(DRAINING).readiness(Readiness.UNKNOWN),
                new StopProbes(),
                new Announce(why + ": draining first"),
                new Drain(s.pid()));
    }

    private static Step stopChild(Status s, String why) {
        return step(s.in(STOPPING).readiness(Readiness.UNKNOWN), new StopProbes(), new Announce(why), new StopChild());
    }

    /** News about a child that is not the current one (or of no child at all). */
    private static boolean stale(Status s, int pid) {
        return pid == 0 || pid != s.pid();
    }

    private static Duration jittered(Duration base, double jitter) {
        // ±10%, so that many processes failing together do not restart in lockstep.
        return Duration.ofMillis(Math.round(base.toMillis() * (0.9 + 0.2 * jitter)));
    }

    static String format(Duration d) {
        long ms = d.toMillis();
        if (ms < 1000) {
            return ms + "ms";
        }
        if (ms % 1000 == 0) {
            return ms / 1000 + "s";
        }
        return String.format(java.util.Locale.ROOT, "%.1fs", ms / 1000.0);
    }

    private static Step step(Status s, Effect... effects) {
        return new Step(s, List.of(effects));
    }
}
