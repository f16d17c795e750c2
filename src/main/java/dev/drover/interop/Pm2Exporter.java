package dev.drover.interop;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.drover.config.Command;
import dev.drover.config.Dependency;
import dev.drover.config.DroverConfig;
import dev.drover.config.PortSpec;
import dev.drover.config.ProcessSpec;
import dev.drover.config.RestartPolicy;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A PM2 {@code ecosystem.config.js}: {@code module.exports} set to the apps as JSON (written by
 * Jackson), in dependency order, since PM2 starts apps in the order it lists them.
 */
final class Pm2Exporter {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private Pm2Exporter() {}

    static ExportResult export(DroverConfig config) {
        List<String> lost = new ArrayList<>();
        List<Object> apps = new ArrayList<>();
        for (ProcessSpec p : dependencyOrder(config)) {
            apps.add(app(p, lost));
        }
        if (!config.routes().isEmpty()) {
            lost.add("routes and proxy: PM2 has no reverse proxy; cluster mode shares one port between Node workers"
                    + " only");
        }
        String json;
        try {
            json = JSON.writeValueAsString(Map.of("apps", apps));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("maps and lists always serialize", e);
        }
        String text =
                "// Exported by `drover export pm2`: pm2 start ecosystem.config.js\nmodule.exports = " + json + ";\n";
        return new ExportResult(List.of(new ExportedFile("ecosystem.config.js", text)), lost);
    }

    private static List<ProcessSpec> dependencyOrder(DroverConfig config) {
        Set<String> done = new LinkedHashSet<>();
        List<ProcessSpec> ordered = new ArrayList<>();
        for (ProcessSpec p : config.processes().values()) {
            visit(p, config, done, ordered);
        }
        return ordered;
    }

    private static void visit(ProcessSpec p, DroverConfig config, Set<String> done, List<ProcessSpec> ordered) {
        if (!done.add(p.name())) {
            return;
        }
        for (Dependency d : p.dependsOn()) {
            visit(config.processes().get(d.process()), config, done, ordered);
        }
        ordered.add(p);
    }

    private static Map<String, Object> app(ProcessSpec p, List<String> lost) {
        String name = p.name();
        Map<String, Object> app = new LinkedHashMap<>();
        app.put("name", name);
        List<String> argv = switch (p.command()) {
            case Command.Exec exec -> exec.argv();
            case Command.Shell shell -> List.of("/bin/sh", "-c", shell.script());
        };
        app.put("script", argv.getFirst());
        if (argv.size() > 1) {
            app.put("args", argv.subList(1, argv.size()));
        }
        app.put("interpreter", "none");
        app.put("cwd", p.cwd().toString());
        Map<String, String> env = new LinkedHashMap<>(p.env());
        if (p.port() instanceof PortSpec.Fixed fixed) {
            env.put("PORT", Integer.toString(fixed.port()));
            lost.add(name + ": port — PORT=" + fixed.port() + " is set in env; PM2 checks no port");
        } else if (p.port() instanceof PortSpec.Auto) {
            lost.add(name + ": port: auto — PM2 picks no ports; set a number");
        }
        if (!env.isEmpty()) {
            app.put("env", env);
        }
        app.put("instances", p.replicas());
        app.put("exec_mode", "fork");
        app.put("autorestart", p.restart() != RestartPolicy.NO);
        if (p.restart() == RestartPolicy.ON_FAILURE) {
            // PM2 restarts whatever the exit status; these statuses stop it instead
            app.put("stop_exit_codes", List.of(0));
        }
        if (p.maxRestarts() > 0) {
            app.put("max_restarts", p.maxRestarts());
        }
        app.put("min_uptime", p.minUptime().toMillis());
        if (p.backoff().multiplier() > 1) {
            app.put("exp_backoff_restart_delay", p.backoff().initial().toMillis());
            lost.add(name + ": backoff — PM2 grows the delay ×1.5 up to 15s, not ×"
                    + p.backoff().multiplier() + " up to "
                    + dev.drover.config.Durations.format(p.backoff().max()));
        } else {
            app.put("restart_delay", p.backoff().initial().toMillis());
        }
        app.put("kill_timeout", p.stopTimeout().toMillis());
        if (!p.stopSignal().name().equals("INT")) {
            lost.add(name + ": stop_signal " + p.stopSignal().name() + " — PM2 sends SIGINT (PM2_KILL_SIGNAL"
                    + " changes it for every app)");
        }
        if (p.limits().memoryBytes() != null) {
            app.put("max_memory_restart", Math.max(1, p.limits().memoryBytes() / 1024) + "K");
        }
        if (p.limits().cpuPercent() != null) {
            lost.add(name + ": limits.cpu — PM2 has no CPU limit");
        }
        if (!p.enabled()) {
            app.put("autostart", false);
        }
        if (!p.dependsOn().isEmpty()) {
            lost.add(name + ": depends_on — PM2 starts apps in the listed order (this file lists dependencies"
                    + " first) but waits for none of them");
        }
        if (p.readiness() != null || p.liveness() != null) {
            lost.add(name + ": readiness/liveness — PM2 has no probes (wait_ready needs process.send('ready'))");
        }
        app.put("merge_logs", true);
        return app;
    }
}
