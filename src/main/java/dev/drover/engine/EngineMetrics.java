package dev.drover.engine;

import dev.drover.state.ProcessState;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * The per-process metrics, read from the engine's snapshots at each scrape (labels {@code process}
 * and {@code replica}; instances a reload removed disappear with them).
 */
public final class EngineMetrics {
    private EngineMetrics() {}

    public static void register(Engine engine, PrometheusRegistry registry) {
        GaugeWithCallback.builder()
                .name("drover_process_up")
                .help("1 while the process is running, else 0")
                .labelNames("process", "replica")
                .callback(g ->
                        engine.snapshots().forEach(s -> g.call(s.state() == ProcessState.RUNNING ? 1 : 0, labels(s))))
                .register(registry);
        GaugeWithCallback.builder()
                .name("drover_process_ready")
                .help("1 while the process is running and ready, else 0")
                .labelNames("process", "replica")
                .callback(g -> engine.snapshots().forEach(s -> g.call(s.serving() ? 1 : 0, labels(s))))
                .register(registry);
        CounterWithCallback.builder()
                .name("drover_process_restarts_total")
                .help("Automatic restarts of the process (after a crash, a failed liveness probe or a broken limit)")
                .labelNames("process", "replica")
                .callback(c -> engine.snapshots().forEach(s -> c.call(s.restarts(), labels(s))))
                .register(registry);
        CounterWithCallback.builder()
                .name("drover_process_exits_total")
                .help(
                        "How the process's runs ended: success, failure (exit code), signal, stopped, killed (after stop_timeout), liveness, watchdog, memory_limit, cpu_limit, spawn_failed")
                .labelNames("process", "replica", "reason")
                .callback(c -> engine.snapshots()
                        .forEach(s -> s.ends()
                                .forEach((reason, n) -> c.call(n, s.process(), Integer.toString(s.replica()), reason))))
                .register(registry);
        CounterWithCallback.builder()
                .name("drover_process_cpu_seconds_total")
                .help("CPU time used by the process and everything it started, as sampled")
                .labelNames("process", "replica")
                .callback(c -> {
                    engine.measureUsage(); // measured when looked at (at most once per interval)
                    engine.snapshots().forEach(s -> c.call(s.cpuSeconds(), labels(s)));
                })
                .register(registry);
        GaugeWithCallback.builder()
                .name("drover_process_resident_memory_bytes")
                .help(
                        "Resident memory of the process and everything it started, at the last sample (0 when not running)")
                .labelNames("process", "replica")
                .callback(g -> {
                    engine.measureUsage();
                    engine.snapshots().forEach(s -> g.call(s.memoryBytes() == null ? 0 : s.memoryBytes(), labels(s)));
                })
                .register(registry);
        CounterWithCallback.builder()
                .name("drover_process_probe_failures_total")
                .help("Failed probe attempts, by probe (readiness, liveness)")
                .labelNames("process", "replica", "probe")
                .callback(c -> engine.snapshots()
                        .forEach(s -> s.probeFailuresTotal()
                                .forEach((probe, n) -> c.call(n, s.process(), Integer.toString(s.replica()), probe))))
                .register(registry);
        GaugeWithCallback.builder()
                .name("drover_process_start_time_seconds")
                .help("When the process's current child started, seconds since the epoch (0 when none runs)")
                .labelNames("process", "replica")
                .callback(g -> engine.snapshots()
                        .forEach(s -> g.call(
                                s.state() == ProcessState.RUNNING ? s.startedAtMillis() / 1000.0 : 0, labels(s))))
                .register(registry);
    }

    private static String[] labels(ProcessSnapshot s) {
        return new String[] {s.process(), Integer.toString(s.replica())};
    }
}
