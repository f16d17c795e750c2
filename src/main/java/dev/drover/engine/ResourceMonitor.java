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
 * Measures the CPU and memory of running instances' whole process trees, on one thread of its
 * own. Instances with limits are measured every interval (2 s by default), and their supervisor is
 * told when a limit has been broken for several samples in a row; while none has limits, the
 * thread wakes only every 30 s (to keep the descriptor reserve), or when a reload changes the set. The others are measured only
 * when someone looks ({@code ps}, the API, a metrics scrape; see {@link #freshen()}), at most once
 * per interval: idle Drover then costs nothing for them. (Sampling 100 idle processes every 2 s
 * cost about 0.6% of a core; every 6 s, about 0.3% with the garbage it made.)
 */
final class ResourceMonitor implements AutoCloseable {
    static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(2);
    /** All of /proc is walked (for members that left the cgroup's view) at most this often. */
    private static final long WALK_NANOS = Duration.ofSeconds(12).toNanos();
    /** How long a look waits for a measurement before it answers with the last figures. */
    private static final long FRESHEN_WAIT_MS = 2_000;

    private final Supplier<Collection<ProcessSupervisor>> supervisors;
    private final long intervalNanos;
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform()
            .name("drover-resources")
            .daemon()
            .stackSize(256 * 1024)
            .unstarted(r));
    /** When every running instance was last measured (by a look), and when /proc was last walked; on the monitor's thread. */
    private volatile long everyoneAtNanos = System.nanoTime() - Long.MAX_VALUE / 2;

    private long walkedAtNanos = System.nanoTime() - Long.MAX_VALUE / 2;

    ResourceMonitor(Supplier<Collection<ProcessSupervisor>> supervisors, Duration interval) {
        this.supervisors = supervisors;
        this.intervalNanos = interval.toNanos();
        next = thread.schedule(this::round, intervalNanos, TimeUnit.NANOSECONDS);
    }

    /** The next periodic round, so that a reload can bring it forward. */
    private volatile java.util.concurrent.ScheduledFuture<?> next;
    /** Whether the last round found an instance with limits: with none, rounds are 15 times rarer. */
    private volatile boolean limited;

    private void round() {
        sampleQuietly(false);
        long delay = limited ? intervalNanos : intervalNanos * IDLE_ROUNDS;
        try {
            next = thread.schedule(this::round, delay, TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // closed
        }
    }

    /** The set of instances changed (a reload): the next round comes after one interval, so new limits apply at once. */
    void instancesChanged() {
        java.util.concurrent.ScheduledFuture<?> pending = next;
        if (!limited && pending != null && pending.cancel(false)) {
            try {
                next = thread.schedule(this::round, intervalNanos, TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // closed
            }
        }
    }

    /**
     * Measures every running instance, unless that was done within the interval, and waits for it
     * (up to 2 s): what a look at the figures calls first.
     */
    void freshen() {
        if (System.nanoTime() - everyoneAtNanos < intervalNanos) {
            return;
        }
        try {
            thread.submit(() -> {
                        if (System.nanoTime() - everyoneAtNanos >= intervalNanos) {
                            sampleQuietly(true);
                        }
                    })
                    .get(FRESHEN_WAIT_MS, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException
                | java.util.concurrent.ExecutionException
                | java.util.concurrent.RejectedExecutionException e) {
            // answered with the figures of the last measurement
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Rounds are this many intervals apart while no instance has limits. */
    private static final int IDLE_ROUNDS = 15;
    /** Rounds between moves of the descriptor reserve to lower numbers (topped up at once when short). */
    private static final int FILL_EVERY = 15;

    private long ticks;

    /** Why the last round failed (said once, not every round), or null. */
    private String failing;

    private void sampleQuietly(boolean everyone) {
        try {
            // The descriptor reserve is taken back here if a moment of exhaustion left it short,
            // and moved to lower numbers now and then.
            if (++ticks % (limited ? FILL_EVERY : 1) == 0 || Descriptors.depleted()) {
                Descriptors.fill();
            }
            sample(everyone);
            if (failing != null) {
                System.err.println(java.time.Instant.now() + " drover: resource sampling works again");
                failing = null;
            }
        } catch (RuntimeException e) {
            // A failed round (an unreadable /proc, no descriptor to spare) must not end the sampling.
            String why = e.getMessage() == null ? e.toString() : e.getMessage();
            // Said once per kind of failure (the path in the message changes from round to round).
            String kind = Descriptors.exhausted(e)
                    ? "no descriptor to spare"
                    : e.getClass().getName();
            if (!kind.equals(failing)) {
                System.err.println(java.time.Instant.now() + " drover: resource sampling failed: " + why
                        + " (said once; tried again every round)");
            }
            failing = kind;
        }
    }

    /**
     * One round: the running children of instances with limits (or, with {@code everyone}, of all
     * instances) measured, each meter fed, breaches reported.
     */
    void sample(boolean everyone) {
        long now = System.nanoTime();
        Map<Child, ProcessSupervisor> running = new LinkedHashMap<>();
        List<ProcessSupervisor> idle = new ArrayList<>();
        boolean anyLimits = false;
        for (ProcessSupervisor supervisor : supervisors.get()) {
            boolean limits = supervisor.definition().spec().limits().any();
            anyLimits |= limits;
            if (!everyone && !limits) {
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
        limited = anyLimits;
        if (everyone) {
            everyoneAtNanos = now;
        }
        if (running.isEmpty()) {
            return;
        }
        // All of /proc is read every few rounds only: in between, children in a cgroup are
        // measured from it (plus what the last walk found outside it).
        boolean walk = now - walkedAtNanos >= WALK_NANOS;
        if (walk) {
            walkedAtNanos = now;
        }
        Map<Child, Usage> usage = Child.measure(running.keySet(), walk);
        long at = System.nanoTime();
        usage.forEach((child, used) -> running.get(child).recordUsage(child, used, at));
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
