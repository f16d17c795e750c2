package dev.drover.interop;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * PM2 ecosystem files: {@code ecosystem.config.js} (evaluated by Node, as PM2 itself does), or the
 * same object as JSON or YAML. Each app becomes a process; PM2's milliseconds become durations.
 */
final class Pm2Importer implements Importer {
    /** PM2 caps its exponential backoff at 15 s and multiplies by 1.5. */
    private static final String EXP_BACKOFF_MAX = "15s";

    private static final Map<String, String> INTERPRETERS = Map.of(
            ".js", "node", ".cjs", "node", ".mjs", "node", ".py", "python3", ".sh", "bash", ".rb", "ruby", ".php",
            "php", ".pl", "perl", ".ts", "ts-node");

    @Override
    public void read(Path file, String content, ImportOptions options, Draft draft) throws InteropException {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".mjs")) {
            throw new InteropException(file + " is an ES module, which `require` cannot load; write it as"
                    + " ecosystem.config.js (module.exports = …), .json or .yaml");
        }
        JsonNode root = name.endsWith(".js") || name.endsWith(".cjs")
                ? DroverYaml.read(evaluate(file), file.getFileName().toString())
                : DroverYaml.read(content, file.getFileName().toString());
        JsonNode apps = root.isArray() ? root : root.path("apps");
        if (!apps.isArray() || apps.isEmpty()) {
            throw new InteropException(file + ": expected `apps`, a list of applications");
        }
        if (root.isObject()) {
            for (var field : root.properties()) {
                switch (field.getKey()) {
                    case "apps" -> {}
                    case "deploy" -> draft.unmapped("deploy", "drover does not deploy code; it runs what is there");
                    default -> draft.unmapped(field.getKey(), "not an ecosystem key drover knows");
                }
            }
        }
        if (options.environmentName() != null) {
            String wanted = "env_" + options.environmentName();
            java.util.Set<String> there = new java.util.TreeSet<>();
            apps.forEach(app -> app.fieldNames().forEachRemaining(key -> {
                if (key.startsWith("env_")) {
                    there.add(key);
                }
            }));
            if (!there.contains(wanted)) {
                throw new InteropException(file + ": no app has " + wanted
                        + (there.isEmpty() ? "" : "; there is " + String.join(", ", there)));
            }
        }
        for (int i = 0; i < apps.size(); i++) {
            app(apps.get(i), i, file, options, draft);
        }
    }

    /** Runs {@code node} to read what the module exports, as JSON. */
    private static String evaluate(Path file) throws InteropException {
        Optional<Path> node = onPath("node");
        if (node.isEmpty()) {
            throw new InteropException(file + " is JavaScript, and `node` is not on PATH to evaluate it; install"
                    + " Node, or write the ecosystem as JSON (`node -p 'JSON.stringify(require(\"./"
                    + file.getFileName() + "\"))' > ecosystem.json` elsewhere) and import that");
        }
        // A CLI-only child, waited for here: the daemon's reaper is not running in this process.
        ProcessBuilder builder = new ProcessBuilder(
                        node.get().toString(),
                        "-e",
                        "process.stdout.write(JSON.stringify(require(process.argv[1])))",
                        file.toString())
                .directory(file.getParent().toFile())
                .redirectErrorStream(false);
        try {
            Process process = builder.start();
            process.getOutputStream().close();
            var out = process.getInputStream().readAllBytes();
            var err = process.getErrorStream().readAllBytes();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new InteropException("node did not finish reading " + file + " within 30 s");
            }
            if (process.exitValue() != 0) {
                String message = new String(err, StandardCharsets.UTF_8).strip();
                throw new InteropException("node could not read " + file + " (exit " + process.exitValue() + "): "
                        + message.lines()
                                .filter(l -> !l.isBlank())
                                .limit(6)
                                .reduce((a, b) -> a + "\n" + b)
                                .orElse(""));
            }
            return new String(out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new InteropException("cannot run node to read " + file + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InteropException("interrupted while node read " + file, e);
        }
    }

    private static Optional<Path> onPath(String program) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(":")) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, program);
            if (java.nio.file.Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    private static void app(JsonNode app, int index, Path file, ImportOptions options, Draft draft)
            throws InteropException {
        String at = "apps[" + index + "]";
        if (!app.has("script")) {
            throw new InteropException(file + ": " + at + " has no script");
        }
        String script = app.get("script").asText();
        String original =
                app.path("name").asText(Path.of(script).getFileName().toString().replaceAll("\\.[^.]*$", ""));
        String name = original.replaceAll("[^A-Za-z0-9_-]", "-");
        draft.process(name);
        Map<String, String> env = new LinkedHashMap<>();
        for (var field : app.properties()) {
            String key = field.getKey();
            JsonNode v = field.getValue();
            String source = at + "." + key;
            switch (key) {
                case "name" ->
                    draft.mapped(
                            source,
                            "processes." + name,
                            name.equals(original) ? "" : "renamed: drover names are [A-Za-z0-9_-]+");
                case "script" -> draft.set(name, "command", command(app, script), source, "run directly");
                case "args", "interpreter", "interpreter_args", "node_args" ->
                    draft.mapped(source, "processes." + name + ".command");
                case "cwd" -> draft.set(name, "cwd", draft.path(file.getParent().resolve(v.asText())), source);
                case "instances" -> {
                    int instances = instances(v);
                    if (instances > 1) {
                        draft.set(
                                name,
                                "replicas",
                                instances,
                                source,
                                v.isNumber() && v.asInt() > 0
                                        ? ""
                                        : v.asText() + " is this machine's " + instances + " (counted at import)");
                    } else {
                        draft.mapped(source, "processes." + name, "one instance");
                    }
                }
                case "exec_mode" ->
                    draft.mapped(
                            source,
                            "processes." + name + ".replicas",
                            v.asText().contains("cluster")
                                    ? "differs: each replica is its own process with its own $PORT, not Node cluster"
                                            + " workers sharing one; put a route in front to balance them"
                                    : "fork: one process per instance, as drover runs them");
                case "env" -> {
                    v.properties()
                            .forEach(e -> env.put(
                                    e.getKey(), Units.literal(e.getValue().asText())));
                    draft.mapped(source, "processes." + name + ".env");
                }
                case "max_memory_restart" ->
                    Units.size(v.asText())
                            .ifPresentOrElse(
                                    size -> draft.setNested(
                                            name, "limits", "memory", size, source, "restarted when over it"),
                                    () -> draft.unmapped(source, "not a size: " + v.asText()));
                case "cron_restart" -> draft.set(name, "schedule", v.asText(), source, "restarted on this schedule");
                case "autorestart" ->
                    draft.set(
                            name,
                            "restart",
                            !v.asBoolean(true) ? "no" : stopsOnZero(app) ? "on-failure" : "always",
                            source);
                case "max_restarts" ->
                    draft.set(
                            name,
                            "max_restarts",
                            v.asInt(),
                            source,
                            "PM2 counts unstable restarts (up less than min_uptime); drover counts failed starts in a row"
                                    + " and restarts within restart_window");
                case "min_uptime" -> millis(v, source, draft).ifPresent(d -> draft.set(name, "min_uptime", d, source));
                case "restart_delay" ->
                    millis(v, source, draft).ifPresent(d -> {
                        if (!app.has("exp_backoff_restart_delay")) {
                            draft.set(name, "backoff", fixed(d), source, "a fixed delay");
                        } else {
                            draft.unmapped(source, "exp_backoff_restart_delay decides the delay");
                        }
                    });
                case "exp_backoff_restart_delay" ->
                    millis(v, source, draft).ifPresent(d -> {
                        Map<String, Object> backoff = new LinkedHashMap<>();
                        backoff.put("initial", d);
                        backoff.put("max", EXP_BACKOFF_MAX);
                        backoff.put("multiplier", 1.5);
                        draft.set(name, "backoff", backoff, source, "×1.5 up to 15s, as PM2 grows it");
                    });
                case "kill_timeout" ->
                    millis(v, source, draft).ifPresent(d -> draft.set(name, "stop_timeout", d, source, "then SIGKILL"));
                case "wait_ready" ->
                    draft.unmapped(
                            source,
                            "drover does not read process.send('ready'); give the"
                                    + " process a readiness probe (http, tcp or exec)");
                case "listen_timeout" ->
                    draft.unmapped(
                            source,
                            "without wait_ready there is nothing to time out;"
                                    + " a readiness probe's failure_threshold × interval bounds the wait instead");
                case "watch", "ignore_watch", "watch_delay", "watch_options" ->
                    draft.unmapped(
                            source, "drover does not restart on file changes; run `drover restart " + name + "`");
                case "out_file", "log_file" ->
                    draft.set(name, "log_file", draft.path(file.getParent().resolve(v.asText())), source);
                case "error_file" -> draft.unmapped(source, "drover writes stderr into the same log as stdout");
                case "merge_logs", "combine_logs" -> draft.mapped(source, "drover's default", "one log per instance");
                case "log_date_format" ->
                    draft.mapped(
                            source,
                            "processes." + name + ".log.timestamps",
                            "every line gets a UTC timestamp; its format is drover's");
                case "pid_file" -> draft.unmapped(source, "drover keeps PIDs (with start times) in its state file");
                case "user", "uid" -> draft.set(name, "user", v.asText(), source);
                case "gid" -> draft.set(name, "group", v.asText(), source);
                case "kill_signal", "stop_signal" -> draft.set(name, "stop_signal", v.asText(), source);
                case "autostart" -> {
                    if (!v.asBoolean(true)) {
                        draft.set(name, "enabled", false, source, "`drover up` skips it unless it is named");
                    } else {
                        draft.mapped(source, "processes." + name + ".enabled", "true is drover's default");
                    }
                }
                case "stop_exit_codes" -> {
                    if (v.isArray()
                            && v.size() == 1
                            && v.get(0).asInt(-1) == 0
                            && app.path("autorestart").asBoolean(true)) {
                        draft.mapped(source, "processes." + name + ".restart", "on-failure: exit 0 is not restarted");
                    } else {
                        draft.unmapped(source, "drover counts only exit status 0 as expected");
                    }
                }
                default -> {
                    if (key.startsWith("env_")) {
                        if (key.substring(4).equals(options.environmentName())) {
                            draft.mapped(source, "processes." + name + ".env", "--env " + options.environmentName());
                        } else {
                            draft.unmapped(source, "applied only with `drover import --env " + key.substring(4) + "`");
                        }
                    } else {
                        draft.unmapped(source, "not a PM2 app key drover knows");
                    }
                }
            }
        }
        if (options.environmentName() != null) {
            app.path("env_" + options.environmentName())
                    .properties()
                    .forEach(e -> env.put(e.getKey(), Units.literal(e.getValue().asText())));
        }
        if (!env.isEmpty()) {
            draft.process(name).put("env", env);
        }
        if (!app.has("autorestart")) {
            draft.process(name).put("restart", stopsOnZero(app) ? "on-failure" : "always");
            draft.mapped(
                    at + ".autorestart (default true)",
                    "processes." + name + ".restart",
                    stopsOnZero(app)
                            ? "on-failure: stop_exit_codes [0] leaves a clean exit stopped"
                            : "always: PM2 restarts an app whatever its exit status");
        }
        if (!app.has("kill_timeout")) {
            draft.process(name).put("stop_timeout", "1600ms");
            draft.mapped(at + ".kill_timeout (default 1600)", "processes." + name + ".stop_timeout", "1600ms");
        }
    }

    /** {@code stop_exit_codes: [0]}: PM2 leaves an app that exits 0 stopped, as on-failure does. */
    private static boolean stopsOnZero(JsonNode app) {
        JsonNode codes = app.path("stop_exit_codes");
        return codes.isArray() && codes.size() == 1 && codes.get(0).asInt(-1) == 0;
    }

    /** [interpreter, interpreter args, script, args], PM2's way: the interpreter is told by the extension. */
    private static List<String> command(JsonNode app, String script) throws InteropException {
        List<String> argv = new ArrayList<>();
        String interpreter = app.path("interpreter").asText("");
        if (interpreter.isEmpty()) {
            int dot = script.lastIndexOf('.');
            interpreter = dot < 0 ? "none" : INTERPRETERS.getOrDefault(script.substring(dot), "none");
        }
        if (!interpreter.equals("none")) {
            argv.add(interpreter);
            argv.addAll(words(app.has("interpreter_args") ? app.get("interpreter_args") : app.path("node_args")));
        }
        argv.add(script);
        argv.addAll(words(app.path("args")));
        return argv.stream().map(Units::literal).toList();
    }

    private static List<String> words(JsonNode value) throws InteropException {
        if (value.isMissingNode() || value.isNull()) {
            return List.of();
        }
        if (value.isArray()) {
            List<String> words = new ArrayList<>();
            value.forEach(w -> words.add(w.asText()));
            return words;
        }
        return Shlex.split(value.asText());
    }

    private static int instances(JsonNode v) {
        int cpus = Runtime.getRuntime().availableProcessors();
        if (v.isTextual() && v.asText().equalsIgnoreCase("max")) {
            return cpus;
        }
        int n = v.asInt(1);
        return n == 0 ? cpus : n < 0 ? Math.max(1, cpus + n) : n;
    }

    /** PM2 takes a number of milliseconds, or a string such as {@code "10s"}. */
    private static Optional<String> millis(JsonNode v, String source, Draft draft) {
        if (v.isNumber() || v.asText().matches("\\d+")) {
            return Optional.of(Units.millis(v.asLong()));
        }
        Optional<String> duration = Units.goDuration(v.asText());
        if (duration.isEmpty()) {
            draft.unmapped(source, "not a number of milliseconds or a duration: " + v.asText());
        }
        return duration;
    }

    private static Map<String, Object> fixed(String delay) {
        Map<String, Object> backoff = new LinkedHashMap<>();
        backoff.put("initial", delay);
        backoff.put("max", delay);
        backoff.put("multiplier", 1);
        return backoff;
    }
}
