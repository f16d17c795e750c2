package dev.drover.health;

import java.time.Duration;

/** A check of whether something answers; it knows nothing of the process it is about. */
public sealed interface Probe permits ExecProbe, HttpProbe, TcpProbe {
    /** Runs the check once; never takes (much) longer than {@code timeout}. */
    ProbeResult check(Duration timeout) throws InterruptedException;
}
