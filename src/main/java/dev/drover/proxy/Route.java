package dev.drover.proxy;

import dev.drover.config.RouteSpec;
import java.net.URI;
import java.util.concurrent.atomic.LongAdder;

/**
 * One configured route with what it sends traffic to — a process's {@link Pool}, or a fixed
 * target — and its figures.
 *
 * @param pool null for a fixed target
 * @param target null for a process route
 */
record Route(RouteSpec spec, Pool pool, URI target, LongAdder requests, LongAdder errors, Latencies latencies) {
    static Route toProcess(RouteSpec spec, Pool pool) {
        return new Route(spec, pool, null, new LongAdder(), new LongAdder(), new Latencies());
    }

    static Route toTarget(RouteSpec spec) {
        return new Route(spec, null, URI.create(spec.target()), new LongAdder(), new LongAdder(), new Latencies());
    }

    /** The label of its metrics: its host and path, e.g. "example.test/api" or "/static". */
    String label() {
        return (spec.host() == null ? "" : spec.host()) + spec.path();
    }
}
