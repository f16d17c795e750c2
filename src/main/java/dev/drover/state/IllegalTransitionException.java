package dev.drover.state;

/** An event arrived in a state where it cannot happen: a bug in the engine, never ignored. */
public final class IllegalTransitionException extends IllegalStateException {
    public IllegalTransitionException(ProcessState state, Event event) {
        super("event " + event + " cannot happen in state " + state.label());
    }
}
