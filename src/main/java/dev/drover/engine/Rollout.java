package dev.drover.engine;

import dev.drover.config.PortSpec;
import dev.drover.config.ProcessSpec;
import dev.drover.config.TrafficSpec;
import dev.drover.state.ProcessState;
import dev.drover.state.Status;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Replaces the instances of a routed process without a moment with none ready: for each batch of
 * {@code max_surge} instances, start replacements on new ports beside them, wait until they are
 * ready (then they take traffic), put them in their place, and stop the old ones — which drains
 * them first; the next batch starts while they drain (they are out of rotation at once), and the
 * rollout ends when every old one is gone. A replacement that is not ready within {@code ready_timeout} is stopped and the old
 * instance kept: the rollout fails with the reason. With {@code max_surge: 0}, or a fixed port
 * (two copies cannot share it), each batch of {@code max_unavailable} instances is restarted in
 * place instead; the proxy holds requests meanwhile ({@code queue_timeout}).
 */
final class Rollout {
    /** What a rollout needs of the engine's instances. */
    interface Slots {
        /** Starts a replacement for {@code old} running {@code spec}, beside it (a surge instance). */
        ProcessSupervisor surge(ProcessSupervisor old, ProcessSpec spec);

        /** Puts {@code replacement} in {@code old}'s place; false when {@code old} is no longer in its place (a reload replaced it). */
        boolean swap(ProcessSupervisor old, ProcessSupervisor replacement);

        /** Stops a replacement that will not be used, and forgets it. */
        void discard(ProcessSupervisor replacement);

        /**
         * Stops an instance that was replaced (draining it first), and forgets it; completes when it
         * is gone. It is out of rotation at once, so the next batch need not wait for its drain.
         */
        CompletableFuture<Void> retire(ProcessSupervisor old);
    }

    private Rollout() {}

    /** @param olds the instances to replace, all of one process */
    static void run(List<ProcessSupervisor> olds, ProcessSpec spec, Slots slots)
            throws RolloutException, InterruptedException {
        TrafficSpec traffic = spec.traffic();
        boolean inPlace = traffic.maxSurge() == 0 || spec.port() instanceof PortSpec.Fixed;
        int batch = Math.max(1, inPlace ? traffic.maxUnavailable() : traffic.maxSurge());
        List<CompletableFuture<Void>> retiring = new ArrayList<>();
        try {
            for (int from = 0; from < olds.size(); from += batch) {
                List<ProcessSupervisor> chunk = olds.subList(from, Math.min(olds.size(), from + batch));
                if (inPlace) {
                    restartInPlace(chunk, traffic.readyTimeout(), spec);
                } else {
                    surge(chunk, spec, slots, retiring);
                }
            }
        } finally {
            // The command returns once every replaced instance is gone (each stop is bounded).
            for (CompletableFuture<Void> gone : retiring) {
                try {
                    gone.get();
                } catch (ExecutionException e) {
                    // stopAndForget kills what does not stop in time; nothing is left to wait for
                }
            }
        }
    }

    private static void surge(
            List<ProcessSupervisor> olds, ProcessSpec spec, Slots slots, List<CompletableFuture<Void>> retiring)
            throws RolloutException, InterruptedException {
        List<ProcessSupervisor> replacements = new ArrayList<>();
        for (ProcessSupervisor old : olds) {
            replacements.add(slots.surge(old, spec));
        }
        for (ProcessSupervisor replacement : replacements) {
            String failure = awaitServing(replacement, spec.traffic().readyTimeout());
            if (failure != null) {
                replacements.forEach(slots::discard);
                throw new RolloutException("rollout of " + spec.name() + " failed at " + replacement.name() + ": "
                        + failure + "; old instance" + (olds.size() == 1 ? "" : "s") + " kept");
            }
        }
        for (int i = 0; i < olds.size(); i++) {
            if (!slots.swap(olds.get(i), replacements.get(i))) {
                replacements.subList(i, replacements.size()).forEach(slots::discard);
                throw new RolloutException("rollout of " + spec.name() + " stopped at "
                        + olds.get(i).name() + ": a reload replaced it meanwhile");
            }
        }
        olds.forEach(old -> retiring.add(slots.retire(old)));
    }

    private static void restartInPlace(List<ProcessSupervisor> chunk, Duration readyTimeout, ProcessSpec spec)
            throws RolloutException, InterruptedException {
        List<CompletableFuture<Status>> restarted = new ArrayList<>();
        for (ProcessSupervisor instance : chunk) {
            restarted.add(instance.postAndAwait(
                    new dev.drover.state.Event.Restart(), s -> s.state() == ProcessState.STARTING));
        }
        for (int i = 0; i < chunk.size(); i++) {
            ProcessSupervisor instance = chunk.get(i);
            try {
                restarted
                        .get(i)
                        .get(
                                readyTimeout
                                        .plus(spec.stopTimeout())
                                        .plus(spec.traffic().drainTimeout())
                                        .toMillis(),
                                TimeUnit.MILLISECONDS);
            } catch (TimeoutException | ExecutionException e) {
                throw new RolloutException(
                        "rollout of " + spec.name() + " failed at " + instance.name() + ": it did not stop in time");
            }
            String failure = awaitServing(instance, readyTimeout);
            if (failure != null) {
                throw new RolloutException(
                        "rollout of " + spec.name() + " failed at " + instance.name() + ": " + failure);
            }
        }
    }

    /** Waits until the instance serves; null when it does, else why not. */
    private static String awaitServing(ProcessSupervisor instance, Duration timeout) throws InterruptedException {
        try {
            Status status = instance.await(
                            s -> s.serving() || s.state() == ProcessState.FATAL || s.state() == ProcessState.EXITED)
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return status.serving() ? null : status.state().label() + ": " + status.reason();
        } catch (TimeoutException e) {
            String seen = instance.probes().last() != null
                    ? instance.probes().last()
                    : instance.status().reason() != null
                            ? instance.status().reason()
                            : instance.status().state().label();
            return "not ready after " + dev.drover.config.Durations.format(timeout) + ": " + seen;
        } catch (ExecutionException e) {
            return "cannot tell whether it is ready: " + e.getCause();
        }
    }
}
