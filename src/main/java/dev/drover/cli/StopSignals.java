package dev.drover.cli;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import sun.misc.Signal;

/**
 * SIGINT and SIGTERM in the foreground: the first asks for a graceful stop, the next one for a
 * forced one. The handlers only count and wake; the work happens on the waiting thread.
 */
final class StopSignals {
    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private final AtomicInteger received = new AtomicInteger();
    private volatile Runnable onForce = () -> {};

    StopSignals install() {
        for (String name : new String[] {"INT", "TERM"}) {
            Signal.handle(new Signal(name), signal -> {
                if (received.incrementAndGet() == 1) {
                    stopRequested.countDown();
                } else {
                    onForce.run();
                }
            });
        }
        return this;
    }

    void awaitStop() throws InterruptedException {
        stopRequested.await();
    }

    /** What to do on the second signal. */
    void onForce(Runnable action) {
        onForce = action;
    }
}
