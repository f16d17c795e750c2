package dev.drover.interop;

import dev.drover.config.Command;
import dev.drover.config.Dependency;
import dev.drover.config.DroverConfig;
import dev.drover.config.Durations;
import dev.drover.config.PortSpec;
import dev.drover.config.ProbeCheck;
import dev.drover.config.ProbeSpec;
import dev.drover.config.ProcessSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Compose file: one service per process, all on the image given, with depends_on conditions,
 * a healthcheck from the readiness probe, restart policy, replicas and limits. Written through
 * Jackson's model.
 */
final class ComposeExporter {
    private ComposeExporter() {}

    static ExportResult export(DroverConfig config, String image) {
        List<String> lost = new ArrayList<>();
        Map<String, Object> services = new LinkedHashMap<>();
        for (ProcessSpec p : config.processes().values()) {
            services.put(p.name(), service(p, image, lost));
        }
        if (!config.routes().isEmpty()) {
            lost.add("routes and proxy: Compose has no reverse proxy; add a proxy service (nginx, Caddy, Traefik)");
        }
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("services", services);
        String text = "# Exported by `drover export compose`; every service runs on " + image + ".\n"
                + DroverYaml.write(root);
        return new ExportResult(List.of(new ExportedFile("compose.yaml", text)), lost);
    }

    private static Map<String, Object> service(ProcessSpec p, String image, List<String> lost) {
        String name = p.name();
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("image", image);
        s.put("command", argv(p, p.command()));
        s.put("working_dir", p.cwd().toString());
        lost.add(name + ": cwd — working_dir " + p.cwd() + " is a path inside the container");
        Map<String, String> env = new LinkedHashMap<>();
        p.env().forEach((k, v) -> env.put(k, escape(v)));
        if (p.port() instanceof PortSpec.Fixed fixed) {
            env.put("PORT", Integer.toString(fixed.port()));
            s.put("ports", List.of(fixed.port() + ":" + fixed.port()));
        } else if (p.port() instanceof PortSpec.Auto) {
            lost.add(name + ": port: auto — Compose picks no ports for the program; set a number");
        }
        if (!env.isEmpty()) {
            s.put("environment", env);
        }
        if (!p.dependsOn().isEmpty()) {
            Map<String, Object> dependsOn = new LinkedHashMap<>();
            for (Dependency d : p.dependsOn()) {
                dependsOn.put(
                        d.process(),
                        Map.of(
                                "condition",
                                switch (d.condition()) {
                                    case STARTED -> "service_started";
                                    case HEALTHY -> "service_healthy";
                                    case COMPLETED -> "service_completed_successfully";
                                }));
            }
            s.put("depends_on", dependsOn);
        }
        if (p.readiness() != null) {
            s.put("healthcheck", healthcheck(p, p.readiness(), lost));
        }
        if (p.liveness() != null) {
            lost.add(name + ": liveness — Compose never restarts an unhealthy container");
        }
        s.put(
                "restart",
                switch (p.restart()) {
                    case ALWAYS -> "always";
                    case ON_FAILURE -> "on-failure";
                    case NO -> "no";
                });
        s.put("stop_signal", "SIG" + p.stopSignal().name());
        s.put("stop_grace_period", Durations.format(p.stopTimeout()));
        Map<String, Object> deploy = new LinkedHashMap<>();
        if (p.replicas() > 1) {
            deploy.put("replicas", p.replicas());
        }
        Map<String, Object> limits = new LinkedHashMap<>();
        if (p.limits().memoryBytes() != null) {
            limits.put("memory", Long.toString(p.limits().memoryBytes()));
        }
        if (p.limits().cpuPercent() != null) {
            limits.put("cpus", Double.toString(p.limits().cpuPercent() / 100));
            lost.add(name + ": limits.cpu — Compose throttles the container; drover restarted the process");
        }
        if (!limits.isEmpty()) {
            deploy.put("resources", Map.of("limits", limits));
        }
        if (p.restart() != dev.drover.config.RestartPolicy.NO) {
            Map<String, Object> policy = new LinkedHashMap<>();
            policy.put("condition", p.restart() == dev.drover.config.RestartPolicy.ALWAYS ? "any" : "on-failure");
            if (p.maxRestarts() > 0) {
                policy.put("max_attempts", p.maxRestarts());
            }
            policy.put("delay", Durations.format(p.backoff().initial()));
            policy.put("window", Durations.format(p.restartWindow()));
            deploy.put("restart_policy", policy);
            if (p.backoff().multiplier() > 1) {
                lost.add(name + ": backoff — Compose waits a fixed delay ("
                        + Durations.format(p.backoff().initial())
                        + "); drover grew it ×" + p.backoff().multiplier() + " up to "
                        + Durations.format(p.backoff().max()));
            }
        }
        if (!deploy.isEmpty()) {
            s.put("deploy", deploy);
        }
        if (!p.enabled()) {
            s.put("profiles", List.of("disabled"));
        }
        lost.add(name + ": log, min_uptime — Compose keeps its own logs (docker compose logs) and has no"
                + " minimum uptime");
        return s;
    }

    private static Map<String, Object> healthcheck(ProcessSpec p, ProbeSpec probe, List<String> lost) {
        Map<String, Object> h = new LinkedHashMap<>();
        List<String> test = new ArrayList<>();
        switch (probe.check()) {
            case ProbeCheck.Exec exec -> {
                if (exec.command() instanceof Command.Shell shell) {
                    test.add("CMD-SHELL");
                    test.add(substitute(p, shell.script()));
                } else {
                    test.add("CMD");
                    test.addAll(argv(p, exec.command()));
                }
            }
            case ProbeCheck.Http http -> {
                test.add("CMD-SHELL");
                test.add("curl -fsS -o /dev/null " + UnitFile.shellQuote(substitute(p, http.url())) + " || exit 1");
                lost.add(p.name() + ": readiness http — a curl command in the container (the image needs curl)");
            }
            case ProbeCheck.Tcp tcp -> {
                String[] hostPort = substitute(p, tcp.address()).split(":(?=[^:]*$)");
                test.add("CMD-SHELL");
                test.add("nc -z " + UnitFile.shellQuote(hostPort[0]) + " " + hostPort[hostPort.length - 1]);
                lost.add(p.name() + ": readiness tcp — an nc command in the container (the image needs nc)");
            }
        }
        h.put("test", test);
        h.put("interval", Durations.format(probe.interval()));
        h.put("timeout", Durations.format(probe.timeout()));
        h.put("retries", probe.failureThreshold());
        if (!probe.initialDelay().isZero() || probe.successThreshold() != 1) {
            lost.add(p.name() + ": readiness initial_delay, success_threshold — a Compose healthcheck has neither");
        }
        return h;
    }

    private static List<String> argv(ProcessSpec p, Command command) {
        return switch (command) {
            case Command.Exec exec ->
                exec.argv().stream().map(w -> substitute(p, w)).toList();
            case Command.Shell shell -> List.of("/bin/sh", "-c", substitute(p, shell.script()));
        };
    }

    /** The instance variables get their values where they are known; any other $ is literal in Compose. */
    private static String substitute(ProcessSpec p, String text) {
        String out = escape(text).replace("$${DROVER_PROCESS}", p.name());
        if (p.port() instanceof PortSpec.Fixed fixed) {
            out = out.replace("$${PORT}", Integer.toString(fixed.port()));
        }
        if (p.replicas() == 1) {
            out = out.replace("$${DROVER_REPLICA}", "0");
        }
        return out;
    }

    private static String escape(String text) {
        return text.replace("$", "$$");
    }
}
