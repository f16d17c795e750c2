package dev.drover.engine;

import dev.drover.config.ProbeSpec;
import dev.drover.control.Traffic;
import dev.drover.health.ProbeResult;
import dev.drover.health.ProbeRunner;
import dev.drover.launch.Child;
import dev.drover.launch.OsEdge;
import dev.drover.launch.SpawnException;
import dev.drover.launch.SpawnSpec;
import dev.drover.launch.StopOutcome;
import dev.drover.launch.Usage;
import dev.drover.logs.ProcessLog;
import dev.drover.state.Effect;
import dev.drover.state.End;
import dev.drover.state.Event;
import dev.drover.state.Failure;
import dev.drover.state.IllegalTransitionException;
import dev.drover.state.ProcessState;
import dev.drover.state.SpawnFailure;
import dev.drover.state.Status;
import dev.drover.state.Step;
import dev.drover.state.Transition;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

/**
 * The one writer of one process instance's state. Every input — a command, an exit, a probe
 * result, a timer — is queued as a {@link Message}, and one virtual thread applies them in order:
 * events through {@link Transition}, whose effects it then carries out, and probe reports into the
 * probe figures. Nothing else writes what this instance is.
 */
final class ProcessSupervisor {
    /** Told after every event that changed the status. */
    interface Observer {
        void changed(ProcessSupervisor supervisor, Status before, Status after);
    }

    /**
     * What every supervisor of one engine shares.
     *
     * @param forced whether stops skip their grace (and drains their wait): a forced shutdown
     * @param preStart whether pre_start hooks run ({@code up --no-pre-start} skips them)
     * @param notifyDir where the private sd_notify sockets of {@code notify: true} instances go
     */
    record Shared(
            ScheduledExecutorService timers,
            Observer observer,
            OsEdge os,
            java.util.function.Supplier<Traffic> traffic,
            BooleanSupplier forced,
            BooleanSupplier preStart,
            Path notifyDir) {}

    /** The probes an instance may have, named as the metrics name them. */
    enum Probe {
        READINESS,
        LIVENESS;

        String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** What the inbox carries. */
    private sealed interface Message {
        /** An input to the lifecycle. */
        record Deliver(Event event) implements Message {}

        /** One probe attempt's result, for the figures (the verdicts come as events). */
        record ProbeReport(Probe probe, int pid, ProbeResult result) implements Message {}

        /** sd_notify messages reached {@code channel}, the socket of one run, and wait there to be taken. */
        record Notified(NotifyChannel channel) implements Message {}

        /** Something to run on this thread between events (see {@link #postAndAwait}). */
        record Act(Runnable action) implements Message {}

        /** The end of the inbox; the log is closed too unless another supervisor of the same instance carries on with it. */
        record Close(boolean keepLog) implements Message {}
    }

    /**
     * The probe figures, replaced whole by this supervisor's thread alone.
     *
     * @param failures failed attempts since the current child started
     * @param last what the last attempt saw, or null
     * @param failuresTotal failed attempts since this instance was created, by probe
     */
    record ProbeFigures(int failures, String last, Map<Probe, Long> failuresTotal) {
        static final ProbeFigures NONE = new ProbeFigures(0, null, Map.of());

        ProbeFigures afterStart() {
            return new ProbeFigures(0, last, failuresTotal);
        }

        ProbeFigures with(Probe probe, ProbeResult result) {
            Map<Probe, Long> total = failuresTotal;
            if (!result.success()) {
                total = new EnumMap<>(Probe.class);
                total.putAll(failuresTotal);
                total.merge(probe, 1L, Long::sum);
            }
            return new ProbeFigures(result.success() ? failures : failures + 1, result.detail(), Map.copyOf(total));
        }
    }

    private final InstanceDefinition definition;
    private final ProcessLog log;
    private final Shared shared;
    private final LinkedBlockingQueue<Message> inbox = new LinkedBlockingQueue<>();
    private final Set<CompletableFuture<StopOutcome>> cleanups = ConcurrentHashMap.newKeySet();
    private final List<Waiter> waiters = new ArrayList<>();
    private final List<Runnable> deferred = new ArrayList<>();
    private final Thread thread;
    private final ResourceMeter meter;
    private volatile Status status;
    private volatile Child child;
    private volatile ProbeFigures probes = ProbeFigures.NONE;
    /** How this instance's runs ended so far, by kind; replaced whole by this supervisor's thread. */
    private volatile Map<End.Kind, Long> ends = Map.of();

    private ProbeRunner readiness;
    private ProbeRunner liveness;
    /** The sd_notify socket of the current run of a notify: true instance, or null. */
    private volatile NotifyChannel notify;
    /** What runs before the next spawn (start_delay, pre_start), or null; this thread's alone. */
    private Preparation preparing;
    /** The post_stop hook of the last run, which the next spawn waits for. */
    private volatile CompletableFuture<String> postStop = CompletableFuture.completedFuture(null);

    private volatile long lastProgressNanos = System.nanoTime();

    private record Waiter(Predicate<Status> condition, CompletableFuture<Status> future) {}

    /**
     * The wait before one spawn: the last run's post_stop, start_delay, then pre_start. Ends in
     * {@link #prepared} on this supervisor's thread.
     */
    private final class Preparation {
        private volatile boolean cancelled;
        private volatile HookRun hook;
        private volatile java.util.concurrent.ScheduledFuture<?> delay;

        void begin(Duration startDelay, boolean runPreStart) {
            CompletableFuture<String> afterStop = postStop.handle((failure, error) -> null);
            afterStop
                    .thenCompose(ignored -> wait(startDelay))
                    .thenCompose(ignored -> {
                        var commands = definition.spec().hooks().preStart();
                        if (cancelled || !runPreStart || commands.isEmpty()) {
                            return CompletableFuture.<String>completedFuture(null);
                        }
                        hook = HookRun.start("pre_start", commands, definition, log, shared.os());
                        if (cancelled) {
                            hook.cancel();
                        }
                        return hook.result();
                    })
                    .whenComplete((failure, error) -> inbox.add(new Message.Act(() ->
                            prepared(this, error != null ? "pre_start failed: " + error.getMessage() : failure))));
        }

        private CompletableFuture<Void> wait(Duration startDelay) {
            CompletableFuture<Void> waited = new CompletableFuture<>();
            if (startDelay.isZero() || cancelled) {
                waited.complete(null);
                return waited;
            }
            log.announce("start_delay: starting in " + dev.drover.config.Durations.format(startDelay));
            delay = shared.timers().schedule(() -> waited.complete(null), startDelay.toMillis(), TimeUnit.MILLISECONDS);
            return waited;
        }

        /** Stopped while it waits: ends the delay or the hook now. */
        void cancel() {
            cancelled = true;
            var timer = delay;
            if (timer != null && timer.cancel(false)) {
                inbox.add(new Message.Act(() -> prepared(this, null)));
            }
            HookRun running = hook;
            if (running != null) {
                running.cancel();
            }
        }
    }

    ProcessSupervisor(InstanceDefinition definition, ProcessLog log, Shared shared, Dependencies.Verdict dependencies) {
        this.definition = definition;
        this.log = log;
        this.shared = shared;
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

    ProbeFigures probes() {
        return probes;
    }

    ResourceMeter meter() {
        return meter;
    }

    /** How many runs ended each way so far, by the exits metric's label. */
    Map<String, Long> ends() {
        Map<String, Long> counts = new TreeMap<>();
        ends.forEach((kind, n) -> counts.put(kind.label(), n));
        return counts;
    }

    /** Failed probe attempts so far, by probe label. */
    Map<String, Long> probeFailuresTotal() {
        Map<String, Long> counts = new TreeMap<>();
        probes.failuresTotal().forEach((probe, n) -> counts.put(probe.label(), n));
        return counts;
    }

    /** The child until it has been reaped (running or stopping), else null. */
    Child unreapedChild() {
        Child current = child;
        return current != null && !current.onExit().isDone() ? current : null;
    }

    /** The child while it runs (for the resource monitor), else null. */
    Child runningChild() {
        Child current = child;
        Status now = status;
        boolean running = now.state() == ProcessState.RUNNING;
        return running
                        && current != null
                        && current.pid() == now.pid()
                        && !current.onExit().isDone()
                ? current
                : null;
    }

    /** A resource sample of {@code measured}; a limit broken for long enough fails the child. */
    void recordUsage(Child measured, Usage usage, long atNanos) {
        Failure broken = meter.record(measured, usage, atNanos);
        if (broken != null) {
            post(new Event.Failing(measured.pid(), broken, System.currentTimeMillis()));
        }
    }

    void post(Event event) {
        inbox.add(new Message.Deliver(event));
    }

    /**
     * Posts {@code event} and completes once {@code condition} holds after it was applied: unlike
     * {@link #await}, never on a status from before the event.
     */
    CompletableFuture<Status> postAndAwait(Event event, Predicate<Status> condition) {
        CompletableFuture<Status> done = new CompletableFuture<>();
        inbox.add(new Message.Deliver(event));
        inbox.add(new Message.Act(() -> await(condition).whenComplete((status, error) -> done.complete(status))));
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

    /** False when messages have waited in the queue for longer than {@code nanos} without progress. */
    boolean responsive(long nanos) {
        return inbox.isEmpty() || System.nanoTime() - lastProgressNanos < nanos;
    }

    /** Signals the current child's main process; false when there is none. */
    boolean signal(int signal) {
        Child current = child;
        return current != null && status.pid() == current.pid() && current.signal(signal);
    }

    /**
     * Skips the grace period of a stop in progress (SIGKILL to everything the child started), or
     * the wait of a drain in progress. A child that is not on its way out is left alone: killing it
     * would count as a crash; it is stopped in its turn.
     */
    void forceKill() {
        Status now = status;
        switch (now.state()) {
            case STOPPING -> {
                Child current = child;
                if (current != null) {
                    current.forceKill();
                }
            }
            case DRAINING -> post(new Event.Drained(now.pid()));
            case STOPPED, STARTING, RUNNING, BACKOFF, EXITED, FATAL -> {}
        }
    }

    /** Waits (bounded) for the clean-ups of exited children still in progress. */
    void awaitCleanups(Duration timeout) {
        try {
            CompletableFuture.allOf(cleanups.toArray(CompletableFuture[]::new))
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            // bounded: what remains is reported by the caller's final check
        }
    }

    void close() {
        inbox.add(new Message.Close(false));
    }

    /** Closes this supervisor but not its log, which its replacement (a rollout's) writes on. */
    void closeKeepingLog() {
        inbox.add(new Message.Close(true));
    }

    private void run() {
        try {
            while (true) {
                Message message = inbox.take();
                try {
                    switch (message) {
                        case Message.Deliver deliver -> apply(deliver.event());
                        case Message.ProbeReport report -> {
                            if (report.pid() == status.pid()) {
                                probes = probes.with(report.probe(), report.result());
                            }
                        }
                        case Message.Notified notified -> notified(notified.channel());
                        case Message.Act act -> act.action().run();
                        case Message.Close close -> {
                            closeNow(close.keepLog());
                            return;
                        }
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

    private void closeNow(boolean keepLog) {
        stopProbes();
        closeNotify();
        Child left = child;
        if (left != null && !left.onExit().isDone()) {
            // Closed with a child still running (cannot happen through the engine, which stops
            // first): nothing would ever stop it, so stop it now.
            log.announce("closed while pid " + left.pid() + " still runs; stopping it");
            left.stop(definition.spec().stopSignal().number(), definition.spec().stopTimeout());
        }
        if (!keepLog) {
            log.close();
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
            if (step.status().lastEnd() != before.lastEnd() && step.status().lastEnd() != null) {
                countEnd(step.status().lastEnd().kind());
            }
            if (ranAndEnded(before, status)) {
                if (definition.pidFile() != null) {
                    PidFile.remove(definition.pidFile(), before.pid());
                }
                closeNotify();
                // Before the effects: a restart's spawn waits for it.
                runPostStop();
            }
            for (Effect effect : step.effects()) {
                Event followUp = execute(effect, before);
                if (followUp != null) {
                    pending.add(followUp);
                }
            }
            if (status.state() == ProcessState.STARTING && !status.goal() && preparing != null) {
                // Stopped while it waits for its delay or its pre_start: no need to wait them out.
                preparing.cancel();
            }
            if (!before.equals(status)) {
                shared.observer().changed(this, before, status);
                wakeWaiters();
            }
        }
    }

    private void countEnd(End.Kind kind) {
        Map<End.Kind, Long> counts = new EnumMap<>(End.Kind.class);
        counts.putAll(ends);
        counts.merge(kind, 1L, Long::sum);
        ends = Map.copyOf(counts);
    }

    private Event execute(Effect effect, Status before) {
        return switch (effect) {
            case Effect.Spawn spawn -> prepare(before);
            case Effect.Drain drain -> {
                Duration wait = shared.forced().getAsBoolean()
                        ? Duration.ZERO
                        : definition.spec().traffic().drainTimeout();
                shared.traffic()
                        .get()
                        .drain(name(), drain.pid(), wait)
                        .whenComplete((done, error) -> post(new Event.Drained(drain.pid())));
                yield null;
            }
            case Effect.StopChild stop -> {
                Child current = child;
                Duration grace = shared.forced().getAsBoolean()
                        ? Duration.ZERO
                        : definition.spec().stopTimeout();
                current.stop(definition.spec().stopSignal().number(), grace)
                        .whenComplete((outcome, error) -> post(new Event.Stopped(
                                current.pid(),
                                outcome == null
                                        ? Outcomes.failedStop(error)
                                        : Outcomes.stopResult(
                                                outcome, shared.forced().getAsBoolean()),
                                System.currentTimeMillis(),
                                jitter())));
                yield null;
            }
            case Effect.CleanUpExited cleanUp -> {
                // After the rest of the step: a restart's spawn goes first, the /proc walk after it.
                Child exited = child;
                deferred.add(() -> cleanUp(exited));
                yield null;
            }
            case Effect.Schedule schedule -> {
                shared.timers()
                        .schedule(() -> post(schedule.event()), schedule.delay().toMillis(), TimeUnit.MILLISECONDS);
                yield null;
            }
            case Effect.StartReadiness start -> {
                ProbeSpec spec = definition.spec().readiness();
                readiness = probe(
                        Probe.READINESS,
                        spec,
                        start.pid(),
                        verdict -> post(new Event.ReadinessChanged(
                                start.pid(), verdict.healthy(), verdict.detail(), System.currentTimeMillis())));
                yield null;
            }
            case Effect.StartLiveness start -> {
                ProbeSpec spec = definition.spec().liveness();
                if (spec != null && liveness == null) {
                    liveness = probe(Probe.LIVENESS, spec, start.pid(), verdict -> {
                        if (!verdict.healthy()) {
                            post(new Event.Failing(
                                    start.pid(), new Failure.Liveness(verdict.detail()), System.currentTimeMillis()));
                        }
                    });
                }
                yield null;
            }
            case Effect.StopProbes stop -> {
                stopProbes();
                yield null;
            }
            case Effect.Announce announce -> {
                log.announce(announce.message());
                yield null;
            }
        };
    }

    private void cleanUp(Child exited) {
        CompletableFuture<StopOutcome> cleanup = exited.cleanUpAfterExit(
                definition.spec().stopSignal().number(), definition.spec().stopTimeout());
        cleanups.add(cleanup);
        cleanup.whenComplete((outcome, error) -> {
            cleanups.remove(cleanup);
            if (outcome != null && outcome.unverified() != null) {
                log.announce("after its exit (pid " + exited.pid() + "): " + outcome.unverified());
            } else if (error != null) {
                log.announce("after its exit (pid " + exited.pid() + "): the clean-up failed: " + error.getMessage());
            }
        });
    }

    /**
     * Spawns now, or first waits for what comes before a spawn: the last run's post_stop,
     * start_delay (when it starts from STOPPED: after its dependencies, not after a backoff) and
     * pre_start. Then the spawn's result comes back as an event like an immediate one.
     */
    private Event prepare(Status before) {
        Duration startDelay =
                before.state() == ProcessState.STOPPED ? definition.spec().startDelay() : Duration.ZERO;
        boolean runPreStart = shared.preStart().getAsBoolean()
                && !definition.spec().hooks().preStart().isEmpty();
        if (startDelay.isZero() && !runPreStart && postStop.isDone()) {
            return spawn();
        }
        Preparation preparation = new Preparation();
        preparing = preparation;
        preparation.begin(startDelay, runPreStart);
        return null;
    }

    /** What came before the spawn is done: {@code failure} says why it cannot spawn, null when it can. */
    private void prepared(Preparation preparation, String failure) {
        if (preparing != preparation) {
            return; // already ended (a cancelled delay is reported twice)
        }
        preparing = null;
        if (status.state() != ProcessState.STARTING) {
            return;
        }
        if (!status.goal()) {
            apply(new Event.SpawnFailed(
                    new SpawnFailure("stopped before it started", 0, true), System.currentTimeMillis(), jitter()));
        } else if (preparation.cancelled) {
            // Stopped and started again while it waited: wait again from the start.
            Event now = prepare(status);
            if (now != null) {
                apply(now);
            }
        } else if (failure != null) {
            // Like a failed start: backoff, and it counts against the restart budget.
            apply(new Event.SpawnFailed(new SpawnFailure(failure, 0, true), System.currentTimeMillis(), jitter()));
        } else {
            apply(spawn());
        }
    }

    /** Whether a child that ran has just ended (exited, or stopped and gone). */
    private static boolean ranAndEnded(Status before, Status after) {
        return before.pid() != 0 && after.pid() != before.pid();
    }

    private void runPostStop() {
        var commands = definition.spec().hooks().postStop();
        if (commands.isEmpty()) {
            return;
        }
        HookRun hook = HookRun.start("post_stop", commands, definition, log, shared.os());
        postStop = hook.result().whenComplete((failure, error) -> {
            if (failure != null) {
                log.announce(failure);
            }
        });
    }

    private Event spawn() {
        String missing = CommandLine.missingProgram(definition.argv(), definition.env(), definition.cwd());
        if (missing != null) {
            return new Event.SpawnFailed(SpawnFailure.permanent(missing), System.currentTimeMillis(), jitter());
        }
        String portTaken = PortCheck.takenByOthers(definition.fixedPort());
        if (portTaken != null) {
            return new Event.SpawnFailed(SpawnFailure.permanent(portTaken), System.currentTimeMillis(), jitter());
        }
        try {
            Map<String, String> env = definition.env();
            if (definition.spec().sdNotify() != null) {
                env = openNotify().environment(env);
            }
            Child started = shared.os()
                    .spawnPaused(
                            new SpawnSpec(definition.launch(), env, definition.cwd(), definition.name()),
                            log.stdout(),
                            log.stderr());
            child = started;
            probes = probes.afterStart();
            Path pidFile = definition.pidFile();
            if (pidFile != null) {
                String failed = PidFile.write(
                        pidFile, started.pid(), Identity.owner(definition.spec().runAs()));
                if (failed != null) {
                    log.announce(failed);
                }
            }
            // Its output is read once "started (pid N)" is in the log, so that line comes first.
            deferred.add(started::startReading);
            started.onExit()
                    .thenAccept(exit -> post(new Event.Exited(
                            started.pid(), Outcomes.termination(exit), System.currentTimeMillis(), jitter())));
            return new Event.Spawned(started.pid(), System.currentTimeMillis());
        } catch (SpawnException e) {
            closeNotify();
            return new Event.SpawnFailed(Outcomes.spawnFailure(e), System.currentTimeMillis(), jitter());
        } catch (java.io.IOException e) {
            closeNotify();
            return new Event.SpawnFailed(
                    SpawnFailure.permanent("cannot open its NOTIFY_SOCKET: " + e.getMessage()),
                    System.currentTimeMillis(),
                    jitter());
        } catch (RuntimeException e) {
            closeNotify();
            return new Event.SpawnFailed(
                    SpawnFailure.permanent("cannot start: " + e.getMessage()), System.currentTimeMillis(), jitter());
        }
    }

    /** Opens the private NOTIFY_SOCKET of the run about to be spawned. */
    private NotifyChannel openNotify() throws java.io.IOException {
        closeNotify();
        notify = NotifyChannel.open(
                shared.os(),
                shared.notifyDir(),
                definition.name(),
                definition.spec().runAs().switchesIdentity(),
                definition.spec().sdNotify().watchdog(),
                channel -> inbox.add(new Message.Notified(channel)));
        return notify;
    }

    private void closeNotify() {
        NotifyChannel open = notify;
        if (open != null) {
            notify = null;
            open.close();
        }
    }

    /** What the current run said over its NOTIFY_SOCKET; messages to an earlier run's socket are dropped. */
    private void notified(NotifyChannel channel) {
        Status now = status;
        if (channel != notify || now.pid() == 0) {
            return;
        }
        boolean armed = channel.watchdogArmed();
        List<Event> events = channel.take(now.pid(), System.currentTimeMillis(), System.nanoTime(), log::announce);
        for (Event event : events) {
            apply(event);
        }
        if (!armed && channel.watchdogArmed()) {
            checkWatchdogIn(channel, channel.watchdog());
        }
    }

    private void checkWatchdogIn(NotifyChannel channel, Duration delay) {
        shared.timers()
                .schedule(
                        () -> inbox.add(new Message.Act(() -> checkWatchdog(channel))),
                        Math.max(1, delay.toMillis()),
                        TimeUnit.MILLISECONDS);
    }

    /** The watchdog's timer: a run that went its timeout without WATCHDOG=1 fails like a failed liveness probe. */
    private void checkWatchdog(NotifyChannel channel) {
        Status now = status;
        if (channel != notify || now.pid() == 0 || !channel.watchdogArmed()) {
            return; // another run's, or disarmed by STOPPING=1
        }
        Duration left = channel.watchdogLeft(System.nanoTime());
        if (left.isPositive()) {
            checkWatchdogIn(channel, left);
            return;
        }
        apply(new Event.Failing(
                now.pid(), new Failure.Watchdog(channel.watchdog(), false), System.currentTimeMillis()));
    }

    /** What the current run said over its NOTIFY_SOCKET, or null when it has none. */
    NotifyChannel.Facts notified() {
        NotifyChannel open = notify;
        return open == null ? null : open.facts();
    }

    /** Where in the ±10% band the next backoff falls, so that processes failing together do not restart in lockstep. */
    private static double jitter() {
        return ThreadLocalRandom.current().nextDouble();
    }

    private ProbeRunner probe(
            Probe which, ProbeSpec spec, int pid, java.util.function.Consumer<ProbeRunner.Verdict> onVerdict) {
        ProbeRunner runner = new ProbeRunner(
                definition.probe(spec, shared.os()),
                InstanceDefinition.schedule(spec),
                onVerdict,
                result -> inbox.add(new Message.ProbeReport(which, pid, result)));
        runner.start();
        return runner;
    }

    private void stopProbes() {
        if (readiness != null) {
            readiness.stop();
        }
        if (liveness != null) {
            liveness.stop();
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
