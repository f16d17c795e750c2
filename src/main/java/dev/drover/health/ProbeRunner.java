package dev.drover.health;

import java.util.function.Consumer;

/**
 * Runs a probe on its schedule on a virtual thread and reports only changes of verdict: healthy
 * after {@code successThreshold} successes in a row, unhealthy after {@code failureThreshold}
 * failures in a row.
 */
public final class ProbeRunner {
    /** A change of verdict, with the detail of the attempt that caused it. */
    public record Verdict(boolean healthy, String detail) {}

    private final Probe probe;
    private final ProbeSchedule schedule;
    private final Consumer<Verdict> onChange;
    private final Consumer<ProbeResult> onResult;
    private volatile boolean stopped;
    private Thread thread;

    public ProbeRunner(
            Probe probe, ProbeSchedule schedule, Consumer<Verdict> onChange, Consumer<ProbeResult> onResult) {
        this.probe = probe;
        this.schedule = schedule;
        this.onChange = onChange;
        this.onResult = onResult;
    }

    public synchronized void start() {
        thread = Thread.ofVirtual().name("drover-probe").start(this::run);
    }

    public synchronized void stop() {
        stopped = true;
        if (thread != null) {
            thread.interrupt();
        }
    }

    private void run() {
        Boolean reported = null;
        int successes = 0;
        int failures = 0;
        try {
            Thread.sleep(schedule.initialDelay());
            while (!stopped) {
                ProbeResult result = probe.check(schedule.timeout());
                if (stopped) {
                    return;
                }
                onResult.accept(result);
                if (result.success()) {
                    successes++;
                    failures = 0;
                    if (successes >= schedule.successThreshold() && !Boolean.TRUE.equals(reported)) {
                        reported = true;
                        onChange.accept(new Verdict(true, result.detail()));
                    }
                } else {
                    failures++;
                    successes = 0;
                    if (failures >= schedule.failureThreshold() && !Boolean.FALSE.equals(reported)) {
                        reported = false;
                        onChange.accept(new Verdict(false, result.detail()));
                    }
                }
                Thread.sleep(schedule.interval());
            }
        } catch (InterruptedException e) {
            // stopped
        }
    }
}
