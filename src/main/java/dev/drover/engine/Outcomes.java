package dev.drover.engine;

import dev.drover.launch.ExitStatus;
import dev.drover.launch.Signals;
import dev.drover.launch.SpawnException;
import dev.drover.launch.StopOutcome;
import dev.drover.state.SpawnFailure;
import dev.drover.state.StopResult;
import dev.drover.state.Termination;

/** Turns what the OS edge reports into the values the lifecycle carries. */
final class Outcomes {
    private Outcomes() {}

    static Termination termination(ExitStatus exit) {
        return exit.signal() != 0
                ? Termination.killed(exit.signal(), Signals.name(exit.signal()), exit.coreDumped())
                : Termination.exited(exit.code());
    }

    /** @param atOnce the stop was a forced one (no grace period), not one whose grace ran out */
    static StopResult stopResult(StopOutcome outcome, boolean atOnce) {
        return new StopResult(
                outcome.exit() == null ? null : termination(outcome.exit()),
                outcome.forced(),
                outcome.unverified(),
                atOnce);
    }

    /** A stop that failed itself (a bug, or the OS refusing): counted as forced, with why. */
    static StopResult failedStop(Throwable error) {
        return new StopResult(null, true, "the stop failed: " + error);
    }

    static SpawnFailure spawnFailure(SpawnException e) {
        return new SpawnFailure(e.getMessage(), e.errno(), e.temporary());
    }
}
