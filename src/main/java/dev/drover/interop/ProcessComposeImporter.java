package dev.drover.interop;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * process-compose's YAML: {@code processes} with {@code depends_on} conditions, {@code
 * availability}, probes, {@code replicas}, {@code disabled}, {@code environment} and {@code
 * shutdown}. Variables ({@code ${X}}) are expanded when the file is loaded, by both tools, so they
 * are kept as written.
 */
final class ProcessComposeImporter implements Importer {
    private static final Map<String, String> CONDITIONS = Map.of(
            "process_started", "started",
            "process_healthy", "healthy",
            "process_completed_successfully", "completed",
            "process_completed", "completed",
            "process_log_ready", "started");

    @Override
    public void read(Path file, String content, ImportOptions options, Draft draft) throws InteropException {
        JsonNode root = DroverYaml.read(content, file.getFileName().toString());
        if (!root.isObject()) {
            throw new InteropException(file + ": expected a map with `processes`");
        }
        JsonNode processes = root.path("processes");
        if (!processes.isObject()) {
            throw new InteropException(file + ": expected `processes` to be a map of name to process");
        }
        for (var field : root.properties()) {
            String key = field.getKey();
            JsonNode value = field.getValue();
            switch (key) {
                case "processes" -> {
                    for (var process : value.properties()) {
                        process(process.getKey(), process.getValue(), file, draft);
                    }
                }
                case "version" -> draft.mapped(key, "version", "drover.yaml is version 1");
                case "environment" -> {
                    draft.root().put("env", environment(value, key, file));
                    draft.mapped(key, "env", "for every process");
                }
                case "log_location", "log_level", "log_length", "log_configuration", "log_format" ->
                    draft.unmapped(
                            key,
                            "drover writes each instance's output to log_dir/NAME.log with a timestamp"
                                    + " per line; its own log is .drover/drover.log");
                case "shell" ->
                    draft.unmapped(
                            key,
                            "drover runs a command string with /bin/sh -c when it holds shell"
                                    + " syntax, else directly");
                case "is_strict" -> draft.mapped(key, "drover's default", "drover always rejects unknown keys");
                case "ordered_shutdown" ->
                    draft.mapped(key, "drover's default", "drover always stops in reverse dependency order");
                default -> draft.unmapped(key, "not a process-compose setting drover knows");
            }
        }
    }

    private static void process(String original, JsonNode spec, Path file, Draft draft) throws InteropException {
        String name = original.replaceAll("[^A-Za-z0-9_-]", "-");
        String at = "processes." + original;
        if (!spec.isObject()) {
            throw new InteropException(file + ": " + at + " is not a map");
        }
        if (!name.equals(original)) {
            draft.mapped(at, "processes." + name, "renamed: drover names are [A-Za-z0-9_-]+");
        }
        draft.process(name);
        if (!spec.has("command") && !spec.has("entrypoint")) {
            throw new InteropException(file + ": " + at + " has no command");
        }
        for (var field : spec.properties()) {
            String key = field.getKey();
            JsonNode value = field.getValue();
            String source = at + "." + key;
            switch (key) {
                case "command" -> {
                    if (spec.has("entrypoint")) {
                        draft.mapped(source, "processes." + name + ".command", "the entrypoint's last argument");
                    } else {
                        draft.set(
                                name,
                                "command",
                                value.asText(),
                                source,
                                "a shell runs it when it holds shell syntax, as process-compose's bash -c does");
                    }
                }
                case "entrypoint" -> {
                    List<String> argv = new java.util.ArrayList<>();
                    value.forEach(word -> argv.add(word.asText()));
                    if (spec.has("command")) {
                        argv.add(spec.get("command").asText());
                    }
                    draft.set(name, "command", argv, source, "run directly");
                }
                case "working_dir" ->
                    draft.set(name, "cwd", draft.path(file.getParent().resolve(value.asText())), source);
                case "environment" -> draft.set(name, "env", environment(value, source, file), source);
                case "depends_on" -> dependencies(name, value, source, draft);
                case "availability" -> availability(name, value, source, draft);
                case "readiness_probe" -> probe(name, "readiness", value, source, draft);
                case "liveness_probe" -> probe(name, "liveness", value, source, draft);
                case "replicas" -> draft.set(name, "replicas", value.asInt(), source, "instances " + name + ".0 …");
                case "disabled" -> {
                    if (value.asBoolean()) {
                        draft.set(name, "enabled", false, source, "`drover up` skips it unless it is named");
                    } else {
                        draft.mapped(source, "processes." + name + ".enabled", "true is drover's default");
                    }
                }
                case "shutdown" -> shutdown(name, value, source, draft);
                case "description" -> draft.unmapped(source, "drover.yaml has no description; keep it as a comment");
                case "namespace" -> draft.unmapped(source, "drover has no namespaces: one file is one project");
                case "is_daemon" ->
                    draft.unmapped(
                            source,
                            "drover supervises processes that stay in the foreground;"
                                    + " run the daemon with its no-fork option");
                case "log_location", "log_configuration" ->
                    draft.unmapped(source, "drover writes log_dir/" + name + ".log");
                case "ready_log_line" -> draft.unmapped(source, "drover has no log-line readiness; use an exec probe");
                case "is_tty", "is_interactive" -> draft.unmapped(source, "drover gives processes no terminal");
                case "vars" -> draft.unmapped(source, "drover has no template variables; use env and ${VAR}");
                default -> draft.unmapped(source, "not a process-compose process key drover knows");
            }
        }
    }

    private static void dependencies(String name, JsonNode value, String source, Draft draft) {
        Map<String, Object> dependsOn = new LinkedHashMap<>();
        for (var dependency : value.properties()) {
            String condition = dependency.getValue().path("condition").asText("process_started");
            String at = source + "." + dependency.getKey();
            String mapped = CONDITIONS.get(condition);
            if (mapped == null) {
                draft.unmapped(at + ".condition", "unknown condition " + condition + "; waiting for `started`");
                mapped = "started";
            } else if (condition.equals("process_completed")) {
                draft.mapped(
                        at + ".condition",
                        "processes." + name + ".depends_on." + dependency.getKey(),
                        "completed: differs, drover waits for a successful exit");
            } else if (condition.equals("process_log_ready")) {
                draft.mapped(
                        at + ".condition",
                        "processes." + name + ".depends_on." + dependency.getKey(),
                        "started: differs, drover has no log-line readiness");
            } else {
                draft.mapped(at + ".condition", "processes." + name + ".depends_on." + dependency.getKey(), mapped);
            }
            dependsOn.put(dependency.getKey().replaceAll("[^A-Za-z0-9_-]", "-"), Map.of("condition", mapped));
        }
        draft.process(name).put("depends_on", dependsOn);
    }

    private static void availability(String name, JsonNode value, String source, Draft draft) {
        for (var field : value.properties()) {
            String at = source + "." + field.getKey();
            JsonNode v = field.getValue();
            switch (field.getKey()) {
                case "restart" -> {
                    switch (v.asText()) {
                        case "always" -> draft.set(name, "restart", "always", at);
                        case "on_failure" -> draft.set(name, "restart", "on-failure", at);
                        case "no" -> draft.set(name, "restart", "no", at);
                        case "exit_on_failure" ->
                            draft.set(
                                    name,
                                    "restart",
                                    "no",
                                    at,
                                    "differs: process-compose then stops everything;"
                                            + " drover leaves the others running");
                        default -> draft.unmapped(at, "unknown restart policy " + v.asText());
                    }
                }
                case "backoff_seconds" -> {
                    String delay = Units.seconds(v.asDouble());
                    Map<String, Object> backoff = new LinkedHashMap<>();
                    backoff.put("initial", delay);
                    backoff.put("max", delay);
                    backoff.put("multiplier", 1);
                    draft.set(name, "backoff", backoff, at, "a fixed delay, as process-compose waits");
                }
                case "max_restarts" ->
                    draft.set(
                            name,
                            "max_restarts",
                            v.asInt(),
                            at,
                            "0 is no limit in both; drover counts them within" + " restart_window (60s)");
                case "exit_on_end", "exit_on_skipped" ->
                    draft.unmapped(at, "drover keeps supervising the others when one process ends");
                default -> draft.unmapped(at, "not an availability key drover knows");
            }
        }
    }

    private static void probe(String name, String kind, JsonNode value, String source, Draft draft) {
        Map<String, Object> probe = new LinkedHashMap<>();
        String target = "processes." + name + "." + kind;
        for (var field : value.properties()) {
            String at = source + "." + field.getKey();
            JsonNode v = field.getValue();
            switch (field.getKey()) {
                case "exec" -> {
                    probe.put("exec", v.path("command").asText());
                    draft.mapped(at + ".command", target + ".exec");
                    if (v.has("working_dir")) {
                        draft.unmapped(at + ".working_dir", "a probe runs in its process's cwd");
                    }
                }
                case "http_get" -> {
                    String scheme = v.path("scheme").asText("http");
                    String host = v.path("host").asText("127.0.0.1");
                    String port = v.path("port").asText();
                    String path = v.path("path").asText("/");
                    probe.put(
                            "http",
                            scheme + "://" + host + (port.isEmpty() ? "" : ":" + port)
                                    + (path.startsWith("/") ? path : "/" + path));
                    draft.mapped(at, target + ".http");
                }
                case "initial_delay_seconds" -> {
                    probe.put("initial_delay", Units.seconds(v.asDouble()));
                    draft.mapped(at, target + ".initial_delay");
                }
                case "period_seconds" -> {
                    probe.put("interval", Units.seconds(v.asDouble()));
                    draft.mapped(at, target + ".interval");
                }
                case "timeout_seconds" -> {
                    probe.put("timeout", Units.seconds(v.asDouble()));
                    draft.mapped(at, target + ".timeout");
                }
                case "success_threshold" -> {
                    probe.put("success_threshold", v.asInt());
                    draft.mapped(at, target + ".success_threshold");
                }
                case "failure_threshold" -> {
                    probe.put("failure_threshold", v.asInt());
                    draft.mapped(at, target + ".failure_threshold");
                }
                default -> draft.unmapped(at, "not a probe key drover knows");
            }
        }
        draft.process(name).put(kind, probe);
    }

    private static void shutdown(String name, JsonNode value, String source, Draft draft) {
        for (var field : value.properties()) {
            String at = source + "." + field.getKey();
            JsonNode v = field.getValue();
            switch (field.getKey()) {
                case "signal" -> draft.set(name, "stop_signal", v.asText(), at);
                case "timeout_seconds" ->
                    draft.set(name, "stop_timeout", Units.seconds(v.asDouble()), at, "then SIGKILL");
                case "command" -> draft.unmapped(at, "drover stops a process with stop_signal, not a command");
                case "parent_only" ->
                    draft.mapped(
                            at,
                            "drover's default",
                            "drover signals the whole process group"
                                    + (v.asBoolean() ? " (differs: parent_only is true)" : ""));
                default -> draft.unmapped(at, "not a shutdown key drover knows");
            }
        }
    }

    /** A list of {@code KEY=VALUE} or a map. */
    static Map<String, String> environment(JsonNode value, String source, Path file) throws InteropException {
        Map<String, String> env = new LinkedHashMap<>();
        if (value.isObject()) {
            value.properties().forEach(e -> env.put(e.getKey(), e.getValue().asText()));
            return env;
        }
        if (!value.isArray()) {
            throw new InteropException(file + ": " + source + " must be a list of KEY=VALUE or a map");
        }
        for (JsonNode item : value) {
            String text = item.asText();
            int equals = text.indexOf('=');
            if (equals <= 0) {
                throw new InteropException(file + ": " + source + ": expected KEY=VALUE, got " + text);
            }
            env.put(text.substring(0, equals), text.substring(equals + 1));
        }
        return env;
    }
}
