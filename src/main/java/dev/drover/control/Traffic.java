package dev.drover.control;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * What the supervisor asks of the traffic layer (the reverse proxy) about an instance that receives
 * routed requests. The engine knows nothing of HTTP; the proxy implements this, and learns which
 * instances serve from {@link Backends}.
 */
public interface Traffic {
    /**
     * Takes the instance's child {@code pid} out of rotation now (it is about to stop) and completes
     * once its requests (and streams) in flight have finished, or after {@code timeout}, whichever
     * comes first; never fails. Another child of the same instance (its next one, or a rollout's
     * replacement) is not affected.
     */
    CompletableFuture<Void> drain(String instance, int pid, Duration timeout);

    /**
     * Holds the instance out of rotation by hand until {@link #release}, also across its restarts;
     * completes as {@link #drain} does.
     */
    CompletableFuture<Void> hold(String instance, Duration timeout);

    /** Puts a held instance back into rotation (once it is ready). */
    void release(String instance);

    /** Whether the instance is held out of rotation by hand. */
    boolean held(String instance);

    /** No traffic layer: nothing to drain or hold. */
    Traffic NONE = new Traffic() {
        @Override
        public CompletableFuture<Void> drain(String instance, int pid, Duration timeout) {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletableFuture<Void> hold(String instance, Duration timeout) {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public void release(String instance) {}

        @Override
        public boolean held(String instance) {
            return false;
        }
    };
}
