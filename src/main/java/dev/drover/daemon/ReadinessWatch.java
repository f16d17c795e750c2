package dev.drover.daemon;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Waits for the moment the daemon is ready: looks again whenever it is nudged (an engine listener
 * does so at every change of state), and at the latest every {@code fallback}, for a change no
 * listener hears of (the last of the starts being taken). So READY=1 and {@code /ready} follow the
 * last process's readiness at once, not up to a polling interval later.
 */
final class ReadinessWatch {
    private final Duration fallback;
    private volatile Thread waiter;

    ReadinessWatch(Duration fallback) {
        this.fallback = fallback;
    }

    /** Something changed: the waiting thread, if any, looks again now. */
    void nudge() {
        Thread thread = waiter;
        if (thread != null) {
            LockSupport.unpark(thread);
        }
    }

    /**
     * Waits while {@code goOn} holds until {@code ready} does; true when it did, false when
     * {@code goOn} stopped holding first.
     */
    boolean await(BooleanSupplier goOn, BooleanSupplier ready) throws InterruptedException {
        waiter = Thread.currentThread();
        try {
            while (goOn.getAsBoolean()) {
                if (ready.getAsBoolean()) {
                    return true;
                }
                // A nudge between the look and the park leaves a permit: the park returns at once.
                LockSupport.parkNanos(this, fallback.toNanos());
                if (Thread.interrupted()) {
                    throw new InterruptedException();
                }
            }
            return false;
        } finally {
            waiter = null;
        }
    }
}
