package dev.drover.launch;

/**
 * How a stop ended: the main process's exit, whether the grace period ran out so everything left
 * was killed, how many other processes of the child's tree had to be killed, and, when the stop
 * could not make sure that nothing is left, why (null when it could).
 */
public record StopOutcome(ExitStatus exit, boolean forced, int killedLeftovers, String unverified) {}
