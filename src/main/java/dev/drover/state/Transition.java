package dev.drover.state;

import dev.drover.state.Effect.Announce;
import dev.drover.state.Effect.CleanUpExited;
import dev.drover.state.Effect.ScheduleBackoff;
import dev.drover.state.Effect.Spawn;
import dev.drover.state.Effect.StartProbes;
import dev.drover.state.Effect.StopChild;
import dev.drover.state.Effect.StopProbes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The lifecycle of one process as a pure function: {@code next(status, event) → (status, effects)}.
 * Each case is written out; news about a child that is no longer current (a stale PID or timer) is
 * ignored, and an event that cannot happen in a state throws. The diagram is in docs/lifecycle.md.
 */
public final class Transition {
    private Transition() {}

    public static Step next(Status s, Event event, RestartRules rules) {
        return switch (event) {
            case Event.Start start -> start(s);
            case Event.Stop stop -> stop(s);
            case Event.Restart restart -> restart(s);
            case Event.DependenciesChanged d -> dependencies(s, d);
            case Event.Spawned spawned -> spawned(s, spawned, rules);
            case Event.SpawnFailed failed -> spawnFailed(s, failed, rules);
            case Event.Exited exited -> exited(s, exited, rules);
            case Event.Stopped stopped -> stopped(s, stopped, rules);
            case Event.BackoffElapsed elapsed -> backoffElapsed(s, elapsed);
            case Event.ReadinessChanged readiness -> readiness(s, readiness);
            case Event.Failing failing -> failing(s, failing);
        };
    }

    private static Step start(Status s) {
        Status wanted = s.withGoal(true);
        return switch (s.state()) {
            case STOPPED -> launch(wanted);
            // A user's start after giving up or finishing begins a fresh restart budget.
            case EXITED, FATAL -> launch(wanted.withRestarts(s.restarts(), List.of(), 0));
            // Cancels the pending backoff timer by moving to a new token.
            case BACKOFF -> launch(wanted.withTimer(s.timerToken() + 1));
            case STARTING, RUNNING, STOPPING -> step(wanted);
        };
    }

    private static Step stop(Status s) {
        Status unwanted = s.withGoal(false);
        return switch (s.state()) {
            case STOPPED, EXITED, FATAL, STARTING, STOPPING -> step(unwanted);
            case RUNNING -> stopChild(unwanted, "stopping");
            case BACKOFF -> step(unwanted.withTimer(s.timerToken() + 1).with(ProcessState.STOPPED).withReason("stopped"));
        };
    }

    private static Step restart(Status s) {
        return switch (s.state()) {
            case RUNNING -> stopChild(s.withGoal(true), "restarting");
            case STARTING, STOPPING -> step(s.withGoal(true));
            case STOPPED, EXITED, FATAL, BACKOFF -> start(s);
        };
    }

    private static Step dependencies(Status s, Event.DependenciesChanged d) {
        Status updated = s.withDependencies(d.met(), d.waitingFor());
        if (s.state() == ProcessState.STOPPED && s.goal()) {
            return launch(updated);
        }
        return step(updated);
    }

    private static Step spawned(Status s, Event.Spawned e, RestartRules rules) {
        if (s.state() != ProcessState.STARTING) {
            throw new IllegalTransitionException(s.state(), e);
        }
        Status child = s.withChild(e.pid(), e.atMillis()).withReason(null);
        if (!s.goal()) {
            // Stopped while it was being spawned: the stop wins.
            return stopChild(child.with(ProcessState.RUNNING), "stopping");
        }
        Status running = rules.hasReadinessProbe()
                ? child.with(ProcessState.RUNNING).withHealth(Health.UNKNOWN, 0)
                : child.with(ProcessState.RUNNING).withHealth(Health.READY, e.atMillis());
        return step(running, new StartProbes(e.pid()), new Announce("started (pid " + e.pid() + ")"));
    }

    private static Step spawnFailed(Status s, Event.SpawnFailed e, RestartRules rules) {
        if (s.state() != ProcessState.STARTING) {
            throw new IllegalTransitionException(s.state(), e);
        }
        if (e.temporary() && s.goal()) {
            // The system is short of something for now: back off and try again, within the budget.
            Status gone = s.withChild(0, 0).withHealth(Health.UNKNOWN, 0);
            return afterFailure(s, gone, e.reason(), e.atMillis(), 0.5, rules, List.of());
        }
        return step(s.with(ProcessState.FATAL).withChild(0, 0).withReason(e.reason()), new Announce("fatal: " + e.reason()));
    }

    private static Step exited(Status s, Event.Exited e, RestartRules rules) {
        if (e.pid() != s.pid() || s.pid() == 0) {
            return step(s);
        }
        return switch (s.state()) {
            case STOPPING -> step(s.withExit(e.description(), e.success()));
            case RUNNING -> exitedWhileRunning(s, e, rules);
            case STOPPED, STARTING, BACKOFF, EXITED, FATAL -> throw new IllegalTransitionException(s.state(), e);
        };
    }

    private static Step exitedWhileRunning(Status s, Event.Exited e, RestartRules rules) {
        Status gone = s.withExit(e.description(), e.success()).withChild(0, 0).withHealth(Health.UNKNOWN, 0);
        boolean restart = switch (rules.policy()) {
            case ALWAYS -> true;
            case ON_FAILURE -> !e.success();
            case NO -> false;
        };
        String what = "exited (" + e.description() + ")";
        if (!restart || !s.goal()) {
            return step(gone.with(ProcessState.EXITED).withReason(what), new StopProbes(), new CleanUpExited(), new Announce(what));
        }
        return afterFailure(s, gone, what, e.atMillis(), e.jitter(), rules, List.of(new StopProbes(), new CleanUpExited()));
    }

    /**
     * A child ended unexpectedly and its policy wants it back: count the restart, give up past
     * max_restarts within the window, else restart after the backoff (and once dependencies allow).
     */
    private static Step afterFailure(Status s, Status gone, String what, long atMillis, double jitter, RestartRules rules, List<Effect> first) {
        List<Effect> effects = new ArrayList<>(first);
        List<Long> recent = new ArrayList<>();
        for (long at : s.recentRestarts()) {
            if (atMillis - at < rules.window().toMillis()) {
                recent.add(at);
            }
        }
        if (rules.maxRestarts() > 0 && recent.size() >= rules.maxRestarts()) {
            String reason = what + "; restarted " + recent.size() + " times within " + format(rules.window()) + " (max_restarts " + rules.maxRestarts() + "), giving up";
            effects.add(new Announce("fatal: " + reason));
            return new Step(gone.with(ProcessState.FATAL).withReason(reason), effects);
        }
        boolean ranHealthyLongEnough = s.readySinceMillis() > 0 && atMillis - s.readySinceMillis() >= rules.resetAfter().toMillis();
        int attempt = ranHealthyLongEnough ? 0 : s.backoffAttempt();
        recent.add(atMillis);
        Duration delay = jittered(rules.backoff(attempt), jitter);
        Status counted = gone.withRestarts(s.restarts() + 1, recent, attempt + 1).withReason(what);
        if (delay.isZero()) {
            effects.add(new Announce(what + "; restarting"));
            Step relaunch = launch(counted);
            effects.addAll(relaunch.effects());
            return new Step(relaunch.status(), effects);
        }
        long token = s.timerToken() + 1;
        effects.add(new Announce(what + "; restarting in " + format(delay)));
        effects.add(new ScheduleBackoff(delay, token));
        return new Step(counted.with(ProcessState.BACKOFF).withTimer(token), effects);
    }

    private static Step stopped(Status s, Event.Stopped e, RestartRules rules) {
        if (s.state() != ProcessState.STOPPING || e.pid() != s.pid()) {
            return step(s);
        }
        String what = e.forced() ? "stopped (killed after stop_timeout; " + e.description() + ")" : "stopped (" + e.description() + ")";
        Status gone = s.withChild(0, 0).withHealth(Health.UNKNOWN, 0).withExit(e.description(), false).withReason(what)
                .with(ProcessState.STOPPED).withFailing(false);
        if (s.failing() && s.goal()) {
            // Killed for failing (liveness, a resource limit): a failure like a crash, under the same budget and backoff.
            return afterFailure(s, gone, s.reason(), e.atMillis(), 0.5, rules, List.of(new Announce(what)));
        }
        if (s.goal()) {
            Step relaunch = launch(gone);
            List<Effect> effects = new ArrayList<>();
            effects.add(new Announce(what));
            effects.addAll(relaunch.effects());
            return new Step(relaunch.status(), effects);
        }
        return step(gone, new Announce(what));
    }

    private static Step backoffElapsed(Status s, Event.BackoffElapsed e) {
        if (s.state() != ProcessState.BACKOFF || e.token() != s.timerToken()) {
            return step(s);
        }
        return s.goal() ? launch(s.with(ProcessState.STOPPED)) : step(s.with(ProcessState.STOPPED));
    }

    private static Step readiness(Status s, Event.ReadinessChanged e) {
        if (s.state() != ProcessState.RUNNING || e.pid() != s.pid()) {
            return step(s);
        }
        if (e.ready() && s.health() != Health.READY) {
            return step(s.withHealth(Health.READY, e.atMillis()), new Announce("ready"));
        }
        if (!e.ready() && s.health() != Health.NOT_READY) {
            return step(s.withHealth(Health.NOT_READY, 0).withReason(e.reason()), new Announce("not ready: " + e.reason()));
        }
        return step(s);
    }

    private static Step failing(Status s, Event.Failing e) {
        if (s.state() != ProcessState.RUNNING || e.pid() != s.pid()) {
            return step(s);
        }
        // The restart is counted when the stop completes, through the same path as a crash.
        return stopChild(s.withGoal(true).withFailing(true).withReason(e.reason()), e.reason() + "; stopping to restart");
    }

    /** Spawns if the dependencies allow, else waits in STOPPED. */
    private static Step launch(Status s) {
        if (!s.dependenciesMet()) {
            return step(s.with(ProcessState.STOPPED), new Announce("waiting for " + s.waitingFor()));
        }
        return step(s.with(ProcessState.STARTING), new Spawn());
    }

    private static Step stopChild(Status s, String why) {
        return step(s.with(ProcessState.STOPPING).withHealth(Health.UNKNOWN, 0), new StopProbes(), new Announce(why), new StopChild());
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
