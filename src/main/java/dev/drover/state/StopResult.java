package dev.drover.state;

/**
 * How a stop of a child and its tree went: the main process's termination (null when it could
 * not be seen end), whether everything left was killed (the grace period ran out, or a forced stop
 * gave none), why the stop could not make sure that nothing is left (null when it could), and
 * whether the stop was a forced one (`down --force`, a second signal), which kills at once.
 */
public record StopResult(Termination termination, boolean forced, String unverified, boolean atOnce) {
    public StopResult(Termination termination, boolean forced, String unverified) {
        this(termination, forced, unverified, false);
    }

    public String describe() {
        String exit = termination == null ? "still running" : termination.describe();
        String how = !forced ? exit : (atOnce ? "forced stop, killed at once; " : "killed after stop_timeout; ") + exit;
        return unverified == null ? how : how + "; " + unverified;
    }
}
