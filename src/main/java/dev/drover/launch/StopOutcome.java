package dev.drover.launch;

/**
 * How a stop ended: the main process's exit, whether the grace period ran out so everything left
 * was killed, and how many other processes of the child's tree had to be killed.
 */
public record StopOutcome(ExitStatus exit, boolean forced, int killedLeftovers) {}
