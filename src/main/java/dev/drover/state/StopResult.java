package dev.drover.state;

/**
 * How a stop of a child and its tree went: the main process's termination (null when it could
 * not be seen end), whether the grace period ran out so that everything left was killed, and why
 * the stop could not make sure that nothing is left (null when it could).
 */
public record StopResult(Termination termination, boolean forced, String unverified) {
    public String describe() {
        String exit = termination == null ? "still running" : termination.describe();
        String how = forced ? "killed after stop_timeout; " + exit : exit;
        return unverified == null ? how : how + "; " + unverified;
    }
}
