package dev.drover.state;

import java.time.Duration;

/** What the engine must do after a transition; the transition itself does nothing. */
public sealed interface Effect {
    /** Spawn the child; the result comes back as {@link Event.Spawned} or {@link Event.SpawnFailed}. */
    record Spawn() implements Effect {}

    /** Take the child out of rotation and let its requests finish; then {@link Event.Drained}. */
    record Drain(int pid) implements Effect {}

    /** Stop the running child and its tree; completion comes back as {@link Event.Stopped}. */
    record StopChild() implements Effect {}

    /** Clear what an exited child left behind (its escaped grandchildren). */
    record CleanUpExited() implements Effect {}

    /** Deliver {@code event} to this process after {@code delay}. */
    record Schedule(Duration delay, Event event) implements Effect {}

    /** Start the readiness probe for the child with {@code pid}. */
    record StartReadiness(int pid) implements Effect {}

    /** Start the liveness probe for the child with {@code pid}. */
    record StartLiveness(int pid) implements Effect {}

    /** Stop the probes. */
    record StopProbes() implements Effect {}

    /** Tell the user what happened, in the process's event stream. */
    record Announce(String message) implements Effect {}
}
