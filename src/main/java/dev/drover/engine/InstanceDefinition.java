package dev.drover.engine;

import dev.drover.config.Interpolation;
import dev.drover.config.ProbeCheck;
import dev.drover.config.ProbeSpec;
import dev.drover.config.ProcessSpec;
import dev.drover.health.ExecProbe;
import dev.drover.health.HttpProbe;
import dev.drover.health.Probe;
import dev.drover.health.ProbeSchedule;
import dev.drover.health.TcpProbe;
import dev.drover.launch.OsEdge;
import dev.drover.state.RestartRules;
import java.net.URI;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One instance of a configured process with everything per-instance filled in: its name
 * ({@code api} or {@code api.0}), its port, its environment, its argv and its probes.
 */
record InstanceDefinition(
        String name,
        ProcessSpec spec,
        int replica,
        Integer port,
        List<String> argv,
        List<String> launch,
        Map<String, String> env,
        RestartRules rules) {

    /**
     * @param routed whether routes send traffic to it (a stop then drains it first)
     */
    static InstanceDefinition of(
            ProcessSpec spec, int replica, Integer port, Map<String, String> inherited, boolean routed) {
        String name = spec.replicas() > 1 ? spec.name() + "." + replica : spec.name();
        Map<String, String> vars = instanceVars(spec, replica, port);
        Map<String, String> env = new LinkedHashMap<>(inherited);
        spec.env().forEach((k, v) -> env.put(k, Interpolation.expandInstance(v, vars)));
        env.putAll(vars);
        Identity.environment(env, spec.runAs());
        RestartRules rules = new RestartRules(
                switch (spec.restart()) {
                    case ALWAYS -> RestartRules.Policy.ALWAYS;
                    case ON_FAILURE -> RestartRules.Policy.ON_FAILURE;
                    case NO -> RestartRules.Policy.NO;
                },
                spec.maxRestarts(),
                spec.restartWindow(),
                spec.backoff().initial(),
                spec.backoff().max(),
                spec.backoff().multiplier(),
                spec.backoff().resetAfter(),
                spec.readiness() != null,
                spec.minUptime(),
                spec.startPeriod(),
                routed,
                spec.sdNotify() != null);
        Map<String, String> environment = Map.copyOf(env);
        List<String> argv = CommandLine.resolved(CommandLine.argv(spec.command(), vars), environment, spec.cwd());
        return new InstanceDefinition(
                name, spec, replica, port, argv, Identity.wrap(argv, spec.runAs()), environment, rules);
    }

    /** {@code command} (a pre_start or post_stop step) as this instance runs it: its variables, its user. */
    List<String> launch(dev.drover.config.Command command) {
        List<String> words =
                CommandLine.resolved(CommandLine.argv(command, instanceVars(spec, replica, port)), env, spec.cwd());
        return Identity.wrap(words, spec.runAs());
    }

    /** Where its PID is written while it runs, or null. */
    Path pidFile() {
        String file = spec.pidFile();
        return file == null ? null : Path.of(Interpolation.expandInstance(file, instanceVars(spec, replica, port)));
    }

    /** Where its output is logged: its own {@code log_file}, else {@code NAME.log} in {@code logDir}. */
    Path logFile(Path logDir) {
        String file = spec.log().file();
        return file == null
                ? logDir.resolve(name + ".log")
                : Path.of(Interpolation.expandInstance(file, instanceVars(spec, replica, port)));
    }

    Path cwd() {
        return spec.cwd();
    }

    /** The port when it is fixed in the configuration (others could hold it), else null. */
    Integer fixedPort() {
        return spec.port() instanceof dev.drover.config.PortSpec.Fixed fixed ? fixed.port() : null;
    }

    /** $DROVER_PROCESS, $DROVER_REPLICA and $PORT of one instance. */
    private static Map<String, String> instanceVars(ProcessSpec spec, int replica, Integer port) {
        Map<String, String> vars = new HashMap<>();
        vars.put("DROVER_PROCESS", spec.name());
        vars.put("DROVER_REPLICA", Integer.toString(replica));
        if (port != null) {
            vars.put("PORT", Integer.toString(port));
        }
        return vars;
    }

    Probe probe(ProbeSpec probe, OsEdge os) {
        Map<String, String> vars = instanceVars(spec, replica, port);
        return switch (probe.check()) {
            case ProbeCheck.Exec exec -> new ExecProbe(os, launch(exec.command()), env, cwd());
            case ProbeCheck.Http http ->
                new HttpProbe(
                        URI.create(Interpolation.expandInstance(http.url(), vars)),
                        http.expect() == null
                                ? HttpProbe.Expect.ANY_SUCCESS
                                : new HttpProbe.Expect(
                                        http.expect().status(),
                                        http.expect().body(),
                                        http.expect().json()));
            case ProbeCheck.Tcp tcp -> TcpProbe.parse(Interpolation.expandInstance(tcp.address(), vars));
        };
    }

    static ProbeSchedule schedule(ProbeSpec probe) {
        return new ProbeSchedule(
                probe.interval(),
                probe.timeout(),
                probe.initialDelay(),
                probe.failureThreshold(),
                probe.successThreshold());
    }
}
