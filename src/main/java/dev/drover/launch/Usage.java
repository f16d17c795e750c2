package dev.drover.launch;

/**
 * What a child and everything it started use at one moment.
 *
 * @param cpuNanos CPU time (user and system) used since the child was spawned; never decreases
 * @param rssBytes resident memory of every process alive now
 * @param processes how many processes that is
 */
public record Usage(long cpuNanos, long rssBytes, int processes) {}
