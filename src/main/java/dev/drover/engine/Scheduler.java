package dev.drover.engine;

import dev.drover.config.Defaults;
import dev.drover.config.DroverConfig;
import dev.drover.config.ProcessSpec;
import dev.drover.config.ScheduleSpec;
import dev.drover.state.ProcessState;
import dev.drover.state.Status;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Starts the processes that have a {@code schedule} when their runs are due. A run due while the
 * last one still runs is skipped, queued (at most one) or replaces it, as {@code overlap} says.
 * The time of the last due run is kept in the runtime directory, so that a run missed while the
 * daemon was down is made up for once at start-up when {@code catch_up} asks for it (and only
 * then).
 */
public final class Scheduler implements Engine.Listener {
    /** What {@code ps} shows of a scheduled process. */
    public record View(String expression, long lastRunMillis, String lastResult, long nextRunMillis, boolean queued) {}

    /** A run is "due" when its timer fires this close to its time (timers may fire a little early). */
    private static final long EARLY_MILLIS = 50;

    private final Engine engine;
    private final ScheduledExecutorService timers;
    private final Map<String, Job> jobs = new HashMap<>();
    private Path stateDir;
    private boolean closed;

    private static final class Job {
        final ScheduleSpec spec;
        ScheduledFuture<?> timer;
        Instant next;
        long lastRunMillis;
        String lastResult;
        boolean queued;
        /** Whether a run started by the schedule (or `run`) has not ended yet. */
        boolean running;

        Job(ScheduleSpec spec) {
            this.spec = spec;
        }
    }

    Scheduler(Engine engine, ScheduledExecutorService timers) {
        this.engine = engine;
        this.timers = timers;
    }

    /** Schedules the config's jobs (anew after a reload; a changed schedule takes effect from now). */
    synchronized void apply(DroverConfig config, boolean startUp) {
        stateDir = Defaults.stateDir(config.file()).resolve("schedule");
        Map<String, Job> previous = new HashMap<>(jobs);
        jobs.values().forEach(job -> {
            if (job.timer != null) {
                job.timer.cancel(false);
            }
        });
        jobs.clear();
        Instant now = Instant.now();
        for (ProcessSpec spec : config.processes().values()) {
            if (spec.schedule() == null || !spec.enabled()) {
                continue;
            }
            Job job = new Job(spec.schedule());
            Job before = previous.get(spec.name());
            if (before != null) {
                job.lastRunMillis = before.lastRunMillis;
                job.lastResult = before.lastResult;
                job.running = before.running;
            }
            jobs.put(spec.name(), job);
            Instant lastDue = lastDue(spec.name());
            if (startUp && lastDue != null && job.lastRunMillis == 0) {
                job.lastRunMillis = lastDue.toEpochMilli();
            }
            if (startUp
                    && spec.schedule().catchUp()
                    && lastDue != null
                    && !spec.schedule().next(lastDue).isAfter(now)) {
                engine.log(spec.name())
                        .announce("catch_up: the run due at " + spec.schedule().next(lastDue)
                                + " was missed while drover was down; running it now");
                runNow(spec.name(), job, now);
            }
            plan(spec.name(), job, now);
        }
    }

    /** Runs the job now ({@code drover run}); its schedule carries on as before. */
    synchronized void runNow(String process) {
        Job job = jobs.get(process);
        if (job == null) {
            throw new IllegalArgumentException(process + " has no schedule");
        }
        runNow(process, job, null);
    }

    /** Whether the process is one the schedule starts. */
    synchronized boolean scheduled(String process) {
        return jobs.containsKey(process);
    }

    synchronized View view(String process) {
        Job job = jobs.get(process);
        if (job == null) {
            return null;
        }
        return new View(
                job.spec.expression(),
                job.lastRunMillis,
                job.lastResult,
                job.next == null ? 0 : job.next.toEpochMilli(),
                job.queued);
    }

    synchronized void close() {
        closed = true;
        jobs.values().forEach(job -> {
            if (job.timer != null) {
                job.timer.cancel(false);
            }
        });
    }

    private void plan(String process, Job job, Instant after) {
        if (closed) {
            return;
        }
        Instant next;
        try {
            next = job.spec.next(after);
        } catch (RuntimeException e) {
            engine.log(process)
                    .announce("schedule \"" + job.spec.expression() + "\" has no next run: " + e.getMessage());
            return;
        }
        job.next = next;
        long delay = Math.max(0, next.toEpochMilli() - System.currentTimeMillis());
        job.timer = timers.schedule(() -> due(process, job, next), delay, TimeUnit.MILLISECONDS);
    }

    private synchronized void due(String process, Job job, Instant at) {
        if (closed || jobs.get(process) != job) {
            return;
        }
        long early = at.toEpochMilli() - System.currentTimeMillis();
        if (early > EARLY_MILLIS) {
            job.timer = timers.schedule(() -> due(process, job, at), early, TimeUnit.MILLISECONDS);
            return;
        }
        remember(process, at);
        runNow(process, job, at);
        plan(process, job, at);
    }

    /** Starts a run, or does what overlap says when the last one still runs. */
    private void runNow(String process, Job job, Instant due) {
        boolean busy = busy(process);
        try {
            if (busy) {
                switch (job.spec.overlap()) {
                    case SKIP ->
                        engine.log(process).announce("schedule: skipped the run due now, the last one still runs");
                    case QUEUE -> {
                        if (!job.queued) {
                            job.queued = true;
                            engine.log(process)
                                    .announce("schedule: the last run still runs; the next starts when it ends");
                        }
                    }
                    case REPLACE -> {
                        engine.log(process).announce("schedule: the last run still runs; replacing it");
                        start(process, job, true);
                    }
                }
                return;
            }
            start(process, job, false);
        } catch (RuntimeException e) {
            engine.log(process).announce("schedule: could not start the run: " + e.getMessage());
        }
    }

    private void start(String process, Job job, boolean replace) {
        job.lastRunMillis = System.currentTimeMillis();
        job.lastResult = null;
        job.running = true;
        if (replace) {
            try {
                engine.restart(List.of(process));
            } catch (RolloutException e) {
                throw new IllegalStateException(e.getMessage(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        } else {
            engine.start(List.of(process));
        }
    }

    /** Whether a run of the process is under way (wanted and not finished). */
    private boolean busy(String process) {
        return engine.instancesOf(process).stream()
                .map(engine::status)
                .anyMatch(s -> s.goal()
                        && switch (s.state()) {
                            case STARTING, RUNNING, DRAINING, STOPPING, BACKOFF -> true;
                            case STOPPED, EXITED, FATAL -> false;
                        });
    }

    @Override
    public void changed(String instance, Status before, Status after) {
        String process = instance.contains(".") ? instance.substring(0, instance.indexOf('.')) : instance;
        boolean ended = before.state() != after.state()
                && (after.state() == ProcessState.EXITED
                        || after.state() == ProcessState.FATAL
                        || after.state() == ProcessState.STOPPED);
        if (!ended) {
            return;
        }
        Job startQueued = null;
        synchronized (this) {
            Job job = jobs.get(process);
            if (job == null || !job.running) {
                return;
            }
            job.running = false;
            job.lastResult = after.lastEnd() != null
                    ? after.lastEnd().describe()
                    : after.state().label();
            if (job.queued && !closed) {
                job.queued = false;
                startQueued = job;
            }
        }
        if (startQueued != null) {
            Job queued = startQueued;
            // Not on the supervisor's thread that told us: the start posts to it.
            timers.execute(() -> {
                synchronized (this) {
                    if (!closed && jobs.get(process) == queued) {
                        engine.log(process).announce("schedule: starting the queued run");
                        runNow(process, queued, null);
                    }
                }
            });
        }
    }

    private Instant lastDue(String process) {
        try {
            return Instant.parse(Files.readString(stateDir.resolve(process)).strip());
        } catch (IOException | DateTimeParseException e) {
            return null;
        }
    }

    /** Keeps the time of the last due run, atomically (a crash leaves the old one or the new one). */
    private void remember(String process, Instant due) {
        try {
            RuntimeFiles.replace(stateDir.resolve(process), due + "\n", null, null);
        } catch (IOException e) {
            engine.log(process)
                    .announce("schedule: cannot keep the time of this run in " + stateDir + ": " + e.getMessage());
        }
    }
}
