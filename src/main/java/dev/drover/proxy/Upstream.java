package dev.drover.proxy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * One instance of a process as the proxy sees it: where it listens, what it is serving now, and
 * whether new requests may go to it. Identified by instance name and PID: the next child of the
 * same instance is another upstream, with fresh figures.
 */
final class Upstream {
    /** How long an upstream that refused a connection is left out of rotation. */
    static final long QUARANTINE_NANOS = Duration.ofSeconds(2).toNanos();

    final String instance;
    final int pid;
    final int port;
    private final AtomicInteger inFlight = new AtomicInteger();
    final LongAdder requests = new LongAdder();
    final LongAdder errors = new LongAdder();
    private volatile boolean draining;
    private volatile long quarantinedUntil;
    private final List<CompletableFuture<Void>> idleWaiters = new ArrayList<>();

    Upstream(String instance, int pid, int port) {
        this.instance = instance;
        this.pid = pid;
        this.port = port;
    }

    int inFlight() {
        return inFlight.get();
    }

    /** Whether new requests may go to it now. */
    boolean available(long nowNanos) {
        return !draining && nowNanos - quarantinedUntil >= 0;
    }

    boolean draining() {
        return draining;
    }

    void begin() {
        inFlight.incrementAndGet();
        requests.increment();
    }

    void end() {
        if (inFlight.decrementAndGet() == 0) {
            List<CompletableFuture<Void>> due;
            synchronized (idleWaiters) {
                due = List.copyOf(idleWaiters);
                idleWaiters.clear();
            }
            due.forEach(f -> f.complete(null));
        }
    }

    /** A WebSocket relayed to it opened: counted in flight until it closes (a drain waits for it). */
    void streamOpened() {
        inFlight.incrementAndGet();
    }

    void streamClosed() {
        end();
    }

    /** It refused a connection: out of rotation for a moment. */
    void quarantine(long nowNanos) {
        quarantinedUntil = nowNanos + QUARANTINE_NANOS;
    }

    /** Out of rotation for good; completes once nothing is in flight. */
    CompletableFuture<Void> drain() {
        draining = true;
        return idle();
    }

    /** Completes once nothing is in flight (at once if nothing is). */
    CompletableFuture<Void> idle() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        synchronized (idleWaiters) {
            if (inFlight.get() == 0) {
                done.complete(null);
            } else {
                idleWaiters.add(done);
            }
        }
        return done;
    }

    @Override
    public String toString() {
        return instance + " (127.0.0.1:" + port + ")";
    }
}
