package dev.drover.proxy;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.function.Supplier;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;

/** The proxy's figures in the daemon's /metrics: requests by route and status class, latency, in flight, upstream errors. */
final class ProxyMetrics {
    private final Counter requests;
    private final Histogram latency;
    private final Counter upstreamErrors;

    ProxyMetrics(PrometheusRegistry registry, Supplier<Iterable<Pool>> pools) {
        requests = Counter.builder()
                .name("drover_proxy_requests_total")
                .help("Requests through the reverse proxy, by route and status class (2xx, 3xx, 4xx, 5xx)")
                .labelNames("route", "code")
                .register(registry);
        latency = Histogram.builder()
                .name("drover_proxy_request_duration_seconds")
                .help("Time from a request's arrival at the proxy to the end of its answer, by route")
                .labelNames("route")
                .classicUpperBounds(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
                .register(registry);
        upstreamErrors = Counter.builder()
                .name("drover_proxy_upstream_errors_total")
                .help("Requests the proxy could not pass on, by route and why: connect, timeout, upstream, no_instance")
                .labelNames("route", "kind")
                .register(registry);
        GaugeWithCallback.builder()
                .name("drover_proxy_in_flight")
                .help("Requests (and WebSockets) an instance is serving through the proxy now")
                .labelNames("process", "instance")
                .callback(g -> {
                    for (Pool pool : pools.get()) {
                        for (Upstream u : pool.upstreams()) {
                            g.call(u.inFlight(), pool.process, u.instance);
                        }
                    }
                })
                .register(registry);
    }

    void record(Request request, Response response, Exchange exchange) {
        String route = exchange.route.label();
        int status = response.getStatus();
        requests.labelValues(route, (status / 100) + "xx").inc();
        latency.labelValues(route).observe((System.nanoTime() - exchange.startedNanos) / 1e9);
        if (exchange.failure != null && !exchange.failure.equals("too large")) {
            upstreamErrors
                    .labelValues(route, exchange.failure.replace(' ', '_'))
                    .inc();
        }
    }
}
