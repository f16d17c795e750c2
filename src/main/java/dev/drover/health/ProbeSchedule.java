package dev.drover.health;

import java.time.Duration;

/** When and how often a probe runs, and how many results in a row change its verdict. */
public record ProbeSchedule(
        Duration interval, Duration timeout, Duration initialDelay, int failureThreshold, int successThreshold) {}
