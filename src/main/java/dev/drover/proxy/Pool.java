package dev.drover.proxy;

import dev.drover.config.RouteSpec;
import dev.drover.control.Backends;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The instances of one process that may take requests, refreshed whenever the supervisor says
 * which serve, and the requests waiting for one (no instance ready: a restart in progress, an
 * on-demand start).
 */
final class Pool {
    final String process;
    private volatile List<Upstream> upstreams = List.of();
    /** Upstreams that no longer serve but still have requests in flight (a drain waits for them). */
    private final List<Upstream> leaving = new java.util.concurrent.CopyOnWriteArrayList<>();

    private final AtomicLong next = new AtomicLong();
    private final List<CompletableFuture<Upstream>> waiting = new ArrayList<>();
    /** When the last request came or went, on the System.nanoTime() clock (for idle_stop). */
    private volatile long lastActivityNanos = System.nanoTime();

    Pool(String process) {
        this.process = process;
    }

    List<Upstream> upstreams() {
        return upstreams;
    }

    /** Takes the instances that serve now; keeps the figures of those that still do. */
    void refresh(List<Backends.Backend> serving, Set<String> held) {
        List<Upstream> current = upstreams;
        List<Upstream> fresh = new ArrayList<>();
        for (Backends.Backend backend : serving) {
            Upstream kept = current.stream()
                    .filter(u ->
                            u.instance.equals(backend.instance()) && u.pid == backend.pid() && u.port == backend.port())
                    .findFirst()
                    .orElse(null);
            fresh.add(kept != null ? kept : new Upstream(backend.instance(), backend.pid(), backend.port()));
        }
        for (Upstream old : current) {
            if (!fresh.contains(old) && old.inFlight() > 0) {
                old.drain(); // out of rotation; its requests finish
                leaving.add(old);
                old.idle().thenRun(() -> leaving.remove(old));
            }
        }
        upstreams = List.copyOf(fresh);
        wakeWaiters(held);
    }

    /** Every upstream of the instance, in rotation or on its way out. */
    List<Upstream> find(String instance) {
        List<Upstream> found = new ArrayList<>();
        upstreams.stream().filter(u -> u.instance.equals(instance)).forEach(found::add);
        leaving.stream().filter(u -> u.instance.equals(instance)).forEach(found::add);
        return found;
    }

    /** An instance for the next request, or null when none may take it now. */
    Upstream pick(RouteSpec.Balance balance, Set<String> held, Upstream except) {
        long now = System.nanoTime();
        List<Upstream> candidates = new ArrayList<>();
        for (Upstream u : upstreams) {
            if (u != except && u.available(now) && !held.contains(u.instance)) {
                candidates.add(u);
            }
        }
        if (candidates.isEmpty()) {
            return null;
        }
        return switch (balance) {
            case ROUND_ROBIN -> candidates.get((int) Math.floorMod(next.getAndIncrement(), (long) candidates.size()));
            case LEAST_CONN -> {
                Upstream best = candidates.getFirst();
                int offset = (int) Math.floorMod(next.getAndIncrement(), (long) candidates.size());
                for (int i = 0; i < candidates.size(); i++) {
                    Upstream u = candidates.get((i + offset) % candidates.size());
                    if (u.inFlight() < best.inFlight()) {
                        best = u;
                    }
                }
                yield best;
            }
        };
    }

    /** Completes with an instance as soon as one may take requests; the caller bounds the wait. */
    CompletableFuture<Upstream> await(RouteSpec.Balance balance, Set<String> held) {
        CompletableFuture<Upstream> future = new CompletableFuture<>();
        synchronized (waiting) {
            Upstream now = pick(balance, held, null);
            if (now != null) {
                future.complete(now);
            } else {
                waiting.add(future);
            }
        }
        return future;
    }

    void forget(CompletableFuture<Upstream> waiter) {
        synchronized (waiting) {
            waiting.remove(waiter);
        }
    }

    void wakeWaiters(Set<String> held) {
        synchronized (waiting) {
            for (Iterator<CompletableFuture<Upstream>> it = waiting.iterator(); it.hasNext(); ) {
                CompletableFuture<Upstream> waiter = it.next();
                Upstream u = pick(RouteSpec.Balance.ROUND_ROBIN, held, null);
                if (u == null) {
                    return;
                }
                waiter.complete(u);
                it.remove();
            }
        }
    }

    int inFlight() {
        return upstreams.stream().mapToInt(Upstream::inFlight).sum();
    }

    void touch() {
        lastActivityNanos = System.nanoTime();
    }

    long idleNanos(long nowNanos) {
        return nowNanos - lastActivityNanos;
    }
}
