package dev.drover.api;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * What {@code GET /metrics} serves: a registry of its own (never the library's global one) holding
 * the API's request counts and durations and, once {@link #instrumentJvm()} is called, the JVM's
 * basics (registered by the first scrape after); the daemon adds the per-process metrics to {@link #registry()}.
 */
public final class Metrics {
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
    private final Counter requests;
    private final Histogram durations;
    private volatile boolean jvmWanted;
    private boolean jvmRegistered;

    public Metrics() {
        requests = Counter.builder()
                .name("drover_api_requests_total")
                .help("HTTP API requests answered, by method, route and status")
                .labelNames("method", "route", "status")
                .register(registry);
        durations = Histogram.builder()
                .name("drover_api_request_duration_seconds")
                .help("Time from receiving an HTTP API request to completing its answer (streams: until they end)")
                .labelNames("method", "route")
                .classicOnly()
                .classicUpperBounds(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
                .register(registry);
    }

    /**
     * Adds the JVM's own metrics (memory, threads, GC, classes) from the next scrape on. Their
     * set-up starts the JVM's platform MBean server: ~0.1 s of CPU and some megabytes that an idle
     * daemon nobody scrapes never needs, so they are registered by the first scrape.
     */
    public void instrumentJvm() {
        jvmWanted = true;
    }

    public PrometheusRegistry registry() {
        return registry;
    }

    /** Counts one answered request; {@code route} is the route's pattern, never the raw path. */
    void recordRequest(String method, String route, int status, long nanos) {
        requests.labelValues(method, route, Integer.toString(status)).inc();
        durations.labelValues(method, route).observe(nanos / 1e9);
    }

    private synchronized void registerJvmIfWanted() {
        if (jvmWanted && !jvmRegistered) {
            JvmMetrics.builder().register(registry);
            jvmRegistered = true;
        }
    }

    String contentType() {
        return writer.getContentType();
    }

    /** Everything in the registry, in the Prometheus text format. */
    byte[] scrape() {
        registerJvmIfWanted();
        ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
        try {
            writer.write(out, registry.scrape());
        } catch (IOException e) {
            throw new UncheckedIOException(e); // cannot happen with a byte array
        }
        return out.toByteArray();
    }
}
