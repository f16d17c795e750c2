package dev.drover.engine;

import dev.drover.launch.Child;
import dev.drover.launch.Descriptors;
import dev.drover.launch.Usage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Samples the CPU and memory of every running instance's whole process tree, on one thread of its
 * own, and tells a supervisor when its process has broken a limit for several samples in a row.
 * Instances with limits are sampled every interval (2 s by default), the others every third
 * (6 s): the figures for `ps` need not be fresher, and idle Drover stays cheap (with 100 idle
 * processes, sampling all of them every 2 s cost about 0.6% of a core).
 */
final class ResourceMonitor implements AutoCloseable {
    static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(2);
    /** Instances without limits are sampled every this many rounds. */
    private static final int UNLIMITED_EVERY = 3;
    /** All of /proc is walked every this many rounds (a multiple of UNLIMITED_EVERY, so every instance is due). */
    private static final int WALK_EVERY = 6;
    private long round;

    private final Supplier<Collection<ProcessSupervisor>> supervisors;
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().name("drover-resources").daemon().stackSize(256 * 1024).unstarted(r));

    ResourceMonitor(Supplier<Collection<ProcessSupervisor>> supervisors, Duration interval) {
        this.supervisors = supervisors;
        long ms = interval.toMillis();
        thread.scheduleWithFixedDelay(this::sampleQuietly, ms, ms, TimeUnit.MILLISECONDS);
    }

    /** Why the last round failed (said once, not every round), or null. */
    private String failing;

    private void sampleQuietly() {
        // The descriptor reserve is taken back here if a moment of exhaustion left it short.
        Descriptors.fill();
        try {
            sample();
            if (failing != null) {
                System.err.println("drover: resource sampling works again");
                failing = null;
            }
        } catch (RuntimeException e) {
            // A failed round (an unreadable /proc, no descriptor to spare) must not end the sampling.
            String why = e.getMessage() == null ? e.toString() : e.getMessage();
            if (!why.equals(failing)) {
                System.err.println("drover: resource sampling failed: " + why + " (said once; tried again every round)");
            }
            failing = why;
        }
    }

    /** One round: every running child measured, each meter fed, breaches reported. */
    void sample() {
        long now = round++;
        boolean everyone = now % UNLIMITED_EVERY == 0;
        Map<Child, ProcessSupervisor> running = new LinkedHashMap<>();
        List<ProcessSupervisor> idle = new ArrayList<>();
        for (ProcessSupervisor supervisor : supervisors.get()) {
            if (!everyone && !supervisor.definition().spec().limits().any()) {
                continue;
            }
            Child child = supervisor.runningChild();
            if (child == null) {
                idle.add(supervisor);
            } else {
                running.put(child, supervisor);
            }
        }
        idle.forEach(s -> s.meter().idle());
        if (running.isEmpty()) {
            return;
        }
        // All of /proc is read every few rounds only: in between, children in a cgroup are
        // measured from it (plus what the last walk found outside it).
        Map<Child, Usage> usage = Child.measure(running.keySet(), now % WALK_EVERY == 0);
        long at = System.nanoTime();
        usage.forEach((child, used) -> running.get(child).recordUsage(child, used, at));
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
