package dev.drover.engine;

import dev.drover.config.ProbeSpec;
import dev.drover.health.ProbeRunner;
import dev.drover.health.ProbeResult;
import dev.drover.launch.Child;
import dev.drover.launch.Launcher;
import dev.drover.launch.SpawnException;
import dev.drover.launch.SpawnSpec;
import dev.drover.launch.StopOutcome;
import dev.drover.logs.ProcessLog;
import dev.drover.state.Effect;
import dev.drover.state.Event;
import dev.drover.state.IllegalTransitionException;
import dev.drover.state.Status;
import dev.drover.state.Step;
import dev.drover.state.Transition;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Predicate;

/**
 * The one writer of one process instance's state. Every input — a command, an exit, a probe
 * verdict, a timer — is queued as an event, and one virtual thread applies them in order through
 * {@link Transition} and carries out the effects.
 */
final class ProcessSupervisor {
    /** Told after every event that changed the status. */
    interface Observer {
        void changed(ProcessSupervisor supervisor, Status before, Status after);
    }

    /** Marks the end of the inbox. */
    private static final Object CLOSE = new Object();

    private final InstanceDefinition definition;
    private final ProcessLog log;
    private final ScheduledExecutorService timers;
    private final Observer observer;
    /** Events, and actions to run on this thread between them (see {@link #postAndAwait}). */
    private final LinkedBlockingQueue<Object> inbox = new LinkedBlockingQueue<>();
    private final Set<CompletableFuture<StopOutcome>> cleanups = ConcurrentHashMap.newKeySet();
    private final List<Waiter> waiters = new ArrayList<>();
    private final List<Runnable> deferred = new ArrayList<>();
    private final Thread thread;
    private volatile Status status;
    private volatile Child child;
    private volatile ProbeRunner readiness;
    private volatile ProbeRunner liveness;
    private volatile long lastProgressNanos = System.nanoTime();
    private volatile int probeFailures;
    private volatile ProbeResult lastProbe;
    private final ResourceMeter meter;
    /** How this instance's children ended, by kind (see {@link #endKind}), since it was created. */
    private final Map<String, LongAdder> ends = new ConcurrentHashMap<>();
    /** Failed probe attempts since this instance was created, by probe ("readiness", "liveness"). */
    private final Map<String, LongAdder> probeFailuresTotal = new ConcurrentHashMap<>();

    private record Waiter(Predicate<Status> condition, CompletableFuture<Status> future) {}

    ProcessSupervisor(InstanceDefinition definition, ProcessLog log, ScheduledExecutorService timers, Observer observer, Dependencies.Verdict dependencies) {
        this.definition = definition;
        this.log = log;
        this.timers = timers;
        this.observer = observer;
        this.status = Status.initial(dependencies.met(), dependencies.waitingFor());
        this.meter = new ResourceMeter(definition.spec().limits());
        this.thread = Thread.ofVirtual().name("drover-" + definition.name()).unstarted(this::run);
    }

    void start() {
        thread.start();
    }

    String name() {
        return definition.name();
    }

    InstanceDefinition definition() {
        return definition;
    }

    ProcessLog log() {
        return log;
    }

    Status status() {
        return status;
    }

    int probeFailures() {
        return probeFailures;
    }

    ProbeResult lastProbe() {
        return lastProbe;
    }

    ResourceMeter meter() {
        return meter;
    }

    /** How many children ended each way so far: "success", "failure", "signal", "stopped", "liveness", "memory_limit", "cpu_limit", "spawn_failed". */
    Map<String, Long> ends() {
        Map<String, Long> counts = new java.util.TreeMap<>();
        ends.forEach((kind, n) -> counts.put(kind, n.sum()));
        return counts;
    }

    /** Failed probe attempts so far, by probe. */
    Map<String, Long> probeFailuresTotal() {
        Map<String, Long> counts = new java.util.TreeMap<>();
        probeFailuresTotal.forEach((probe, n) -> counts.put(probe, n.sum()));
        return counts;
    }

    /** The child while it runs (for the resource monitor), else null. */
    Child runningChild() {
        Child current = child;
        Status now = status;
        boolean running = now.state() == dev.drover.state.ProcessState.RUNNING;
        return running && current != null && current.pid() == now.pid() && !current.onExit().isDone() ? current : null;
    }

    /** A resource sample of {@code measured}; a limit broken for long enough fails the child. */
    void recordUsage(Child measured, dev.drover.launch.Usage usage, long atNanos) {
        String broken = meter.record(measured, usage, atNanos);
        if (broken != null) {
            post(new Event.Failing(measured.pid(), broken, System.currentTimeMillis()));
        }
    }

    void post(Event event) {
        inbox.add(event);
    }

    /**
     * Posts {@code event} and completes once {@code condition} holds after it was applied: unlike
     * {@link #await}, never on a status from before the event.
     */
    CompletableFuture<Status> postAndAwait(Event event, Predicate<Status> condition) {
        CompletableFuture<Status> done = new CompletableFuture<>();
        inbox.add(event);
        inbox.add((Runnable) () -> await(condition).whenComplete((status, error) -> done.complete(status)));
        return done;
    }

    /** Completes with the status once {@code condition} holds (at once if it already does). */
    CompletableFuture<Status> await(Predicate<Status> condition) {
        CompletableFuture<Status> future = new CompletableFuture<>();
        synchronized (waiters) {
            Status now = status;
            if (condition.test(now)) {
                future.complete(now);
            } else {
                waiters.add(new Waiter(condition, future));
            }
        }
        return future;
    }

    /** False when events have waited in the queue for longer than {@code nanos} without progress. */
    boolean responsive(long nanos) {
        return inbox.isEmpty() || System.nanoTime() - lastProgressNanos < nanos;
    }

    /** Signals the current child's main process; false when there is none. */
    boolean signal(int signal) {
        Child current = child;
        return current != null && status.pid() == current.pid() && current.signal(signal);
    }

    /** Skips the grace period of a stop in progress: SIGKILL to everything the child started. */
    void forceKill() {
        Child current = child;
        if (current != null) {
            current.forceKill();
        }
    }

    /** Waits (bounded) for the clean-ups of exited children still in progress. */
    void awaitCleanups(Duration timeout) {
        try {
            CompletableFuture.allOf(cleanups.toArray(CompletableFuture[]::new)).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            // bounded: what remains is reported by the caller's final check
        }
    }

    void close() {
        inbox.add(CLOSE);
    }

    private void run() {
        try {
            while (true) {
                Object item = inbox.take();
                if (item == CLOSE) {
                    stopProbes();
                    Child left = child;
                    if (left != null && !left.onExit().isDone()) {
                        // Closed with a child still running (cannot happen through the engine,
                        // which stops first): nothing would ever stop it, so stop it now.
                        log.announce("closed while pid " + left.pid() + " still runs; stopping it");
                        left.stop(definition.spec().stopSignal().number(), definition.spec().stopTimeout());
                    }
                    log.close();
                    return;
                }
                try {
                    switch (item) {
                        case Event event -> apply(event);
                        case Runnable action -> action.run();
                        default -> throw new IllegalStateException("not an event: " + item);
                    }
                } catch (RuntimeException e) {
                    // A bug or an OS failure must not kill the one thread that supervises this process.
                    log.announce("internal error: " + e);
                    e.printStackTrace();
                }
                lastProgressNanos = System.nanoTime();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void apply(Event first) {
        Deque<Event> pending = new ArrayDeque<>();
        pending.add(first);
        try {
            applyAll(pending);
        } finally {
            // Even after a failure: what was deferred belongs to this event, not the next one.
            List<Runnable> due = List.copyOf(deferred);
            deferred.clear();
            due.forEach(Runnable::run);
        }
    }

    private void applyAll(Deque<Event> pending) {
        while (!pending.isEmpty()) {
            Event event = pending.poll();
            Status before = status;
            Step step;
            try {
                step = Transition.next(before, event, definition.rules());
            } catch (IllegalTransitionException e) {
                // A bug in the engine: say so loudly, keep supervising.
                log.announce("internal error: " + e.getMessage());
                e.printStackTrace();
                continue;
            }
            status = step.status();
            String ended = endKind(before, status, event);
            if (ended != null) {
                ends.computeIfAbsent(ended, k -> new LongAdder()).increment();
            }
            for (Effect effect : step.effects()) {
                Event followUp = execute(effect);
                if (followUp != null) {
                    pending.add(followUp);
                }
            }
            if (!before.equals(status)) {
                observer.changed(this, before, status);
                wakeWaiters();
            }
        }
    }

    /** How a child ended if this step ended one, for the exits metric; else null. */
    static String endKind(Status before, Status after, Event event) {
        if (event instanceof Event.SpawnFailed && before.state() == dev.drover.state.ProcessState.STARTING) {
            return "spawn_failed";
        }
        if (before.pid() == 0 || after.pid() == before.pid()) {
            return null;
        }
        return switch (event) {
            case Event.Exited e when e.success() -> "success";
            case Event.Exited e when e.description().startsWith("killed by") -> "signal";
            case Event.Exited e -> "failure";
            case Event.Stopped s when before.failing() && before.reason() != null -> {
                String reason = before.reason();
                if (reason.startsWith("memory limit")) {
                    yield "memory_limit";
                }
                yield reason.startsWith("cpu limit") ? "cpu_limit" : "liveness";
            }
            case Event.Stopped s -> "stopped";
            default -> null;
        };
    }

    private Event execute(Effect effect) {
        return switch (effect) {
            case Effect.Spawn spawn -> spawn();
            case Effect.StopChild stop -> {
                Child current = child;
                current.stop(definition.spec().stopSignal().number(), definition.spec().stopTimeout())
                        .whenComplete((outcome, error) -> post(stopped(current, outcome, error)));
                yield null;
            }
            case Effect.CleanUpExited cleanUp -> {
                // After the rest of the step: a restart's spawn goes first, the /proc walk after it.
                Child exited = child;
                deferred.add(() -> {
                    CompletableFuture<StopOutcome> cleanup =
                            exited.cleanUpAfterExit(definition.spec().stopSignal().number(), definition.spec().stopTimeout());
                    cleanups.add(cleanup);
                    cleanup.whenComplete((outcome, error) -> {
                        cleanups.remove(cleanup);
                        if (outcome != null && outcome.unverified() != null) {
                            log.announce("after its exit (pid " + exited.pid() + "): " + outcome.unverified());
                        } else if (error != null) {
                            log.announce("after its exit (pid " + exited.pid() + "): the clean-up failed: " + error.getMessage());
                        }
                    });
                });
                yield null;
            }
            case Effect.ScheduleBackoff backoff -> {
                timers.schedule(() -> post(new Event.BackoffElapsed(backoff.token())), backoff.delay().toMillis(), TimeUnit.MILLISECONDS);
                yield null;
            }
            case Effect.StartProbes probes -> {
                startProbes(probes.pid());
                yield null;
            }
            case Effect.StopProbes probes -> {
                stopProbes();
                yield null;
            }
            case Effect.Announce announce -> {
                log.announce(announce.message());
                yield null;
            }
        };
    }

    private Event spawn() {
        String missing = CommandLine.missingProgram(definition.argv(), definition.env(), definition.cwd());
        if (missing != null) {
            return new Event.SpawnFailed(missing);
        }
        try {
            Child started = Launcher.get().spawnPaused(
                    new SpawnSpec(definition.argv(), definition.env(), definition.cwd(), definition.name()), log.stdout(), log.stderr());
            child = started;
            // Its output is read once "started (pid N)" is in the log, so that line comes first.
            deferred.add(started::startReading);
            started.onExit().thenAccept(exit -> post(new Event.Exited(
                    started.pid(), exit.toString(), exit.success(), System.currentTimeMillis(), ThreadLocalRandom.current().nextDouble())));
            return new Event.Spawned(started.pid(), System.currentTimeMillis());
        } catch (SpawnException e) {
            return new Event.SpawnFailed(e.getMessage(), e.temporary(), System.currentTimeMillis());
        } catch (RuntimeException e) {
            return new Event.SpawnFailed("cannot start: " + e.getMessage());
        }
    }

    private static Event stopped(Child child, StopOutcome outcome, Throwable error) {
        if (error != null || outcome == null) {
            return new Event.Stopped(child.pid(), "the stop failed: " + error, true, System.currentTimeMillis());
        }
        String exit = outcome.exit() == null ? "still running" : outcome.exit().toString();
        String description = outcome.unverified() == null ? exit : exit + "; " + outcome.unverified();
        return new Event.Stopped(child.pid(), description, outcome.forced(), System.currentTimeMillis());
    }

    private void startProbes(int pid) {
        probeFailures = 0;
        ProbeSpec ready = definition.spec().readiness();
        if (ready != null) {
            readiness = new ProbeRunner(definition.probe(ready), InstanceDefinition.schedule(ready),
                    verdict -> post(new Event.ReadinessChanged(pid, verdict.healthy(), verdict.detail(), System.currentTimeMillis())),
                    result -> recordProbe("readiness", result));
            readiness.start();
        }
        ProbeSpec live = definition.spec().liveness();
        if (live != null) {
            liveness = new ProbeRunner(definition.probe(live), InstanceDefinition.schedule(live),
                    verdict -> {
                        if (!verdict.healthy()) {
                            post(new Event.Failing(pid, "liveness failed: " + verdict.detail(), System.currentTimeMillis()));
                        }
                    },
                    result -> recordProbe("liveness", result));
            liveness.start();
        }
    }

    private void recordProbe(String probe, ProbeResult result) {
        lastProbe = result;
        if (!result.success()) {
            probeFailures++;
            probeFailuresTotal.computeIfAbsent(probe, k -> new LongAdder()).increment();
        }
    }

    private void stopProbes() {
        ProbeRunner r = readiness, l = liveness;
        if (r != null) {
            r.stop();
        }
        if (l != null) {
            l.stop();
        }
        readiness = null;
        liveness = null;
    }

    private void wakeWaiters() {
        synchronized (waiters) {
            Status now = status;
            for (Iterator<Waiter> it = waiters.iterator(); it.hasNext(); ) {
                Waiter waiter = it.next();
                if (waiter.condition().test(now)) {
                    waiter.future().complete(now);
                    it.remove();
                }
            }
        }
    }
}
