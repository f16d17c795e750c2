package dev.drover.interop;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Compose file's services that run a command drover can run on the host ({@code command} or
 * {@code entrypoint}); a service that only runs its image is reported as not importable.
 * Variables are expanded at load time by both tools, so they are kept as written.
 */
final class ComposeImporter implements Importer {
    private static final Map<String, String> CONDITIONS = Map.of(
            "service_started", "started",
            "service_healthy", "healthy",
            "service_completed_successfully", "completed");
    private static final Pattern PORT = Pattern.compile("(?:(?:[0-9.]+|\\[[^]]*]):)?(?:(\\d+):)?(\\d+)(?:/tcp)?");
    private static final Set<String> CONTAINER_KEYS = Set.of(
            "image",
            "build",
            "container_name",
            "networks",
            "volumes",
            "labels",
            "hostname",
            "logging",
            "expose",
            "extra_hosts",
            "dns",
            "cap_add",
            "cap_drop",
            "privileged",
            "network_mode",
            "volumes_from",
            "tmpfs",
            "devices",
            "ipc",
            "pid",
            "platform",
            "pull_policy",
            "security_opt",
            "shm_size",
            "stdin_open",
            "tty",
            "ulimits",
            "init",
            "sysctls",
            "secrets",
            "configs",
            "domainname",
            "links",
            "external_links",
            "runtime",
            "isolation",
            "mac_address",
            "read_only",
            "userns_mode",
            "group_add",
            "cgroup_parent",
            "oom_score_adj");

    @Override
    public void read(Path file, String content, ImportOptions options, Draft draft) throws InteropException {
        JsonNode root = DroverYaml.read(content, file.getFileName().toString());
        JsonNode services = root.path("services");
        if (!services.isObject()) {
            throw new InteropException(file + ": expected `services` to be a map of name to service");
        }
        Set<String> importable = new LinkedHashSet<>();
        for (var service : services.properties()) {
            if (service.getValue().has("command") || service.getValue().has("entrypoint")) {
                importable.add(service.getKey());
            }
        }
        for (var field : root.properties()) {
            String key = field.getKey();
            switch (key) {
                case "services" -> {
                    for (var service : field.getValue().properties()) {
                        if (importable.contains(service.getKey())) {
                            service(service.getKey(), service.getValue(), importable, file, draft);
                        } else {
                            notImportable(service.getKey(), service.getValue(), draft);
                        }
                    }
                }
                case "version" -> draft.mapped(key, "version", "obsolete in Compose; drover.yaml is version 1");
                case "name" -> draft.unmapped(key, "a drover project is named by its config file");
                case "networks", "volumes", "secrets", "configs" ->
                    draft.unmapped(key, "processes on the host use the host's " + key);
                default -> {
                    if (key.startsWith("x-")) {
                        draft.unmapped(key, "an extension for YAML anchors; its uses were expanded");
                    } else {
                        draft.unmapped(key, "not a Compose top-level key drover knows");
                    }
                }
            }
        }
    }

    private static void notImportable(String name, JsonNode service, Draft draft) {
        String image = service.path("image").asText(service.has("build") ? "built from " + service.path("build") : "");
        String why = "service " + name + " runs only its image's own entrypoint (" + (image.isEmpty() ? "none" : image)
                + "); drover runs host commands: give it a `command` or run it beside drover";
        if (service.isEmpty()) {
            draft.unmapped("services." + name, why);
        }
        service.properties().forEach(f -> draft.unmapped("services." + name + "." + f.getKey(), why));
    }

    private static void service(String original, JsonNode spec, Set<String> importable, Path file, Draft draft)
            throws InteropException {
        String name = original.replaceAll("[^A-Za-z0-9_-]", "-");
        String at = "services." + original;
        if (!name.equals(original)) {
            draft.mapped(at, "processes." + name, "renamed: drover names are [A-Za-z0-9_-]+");
        }
        draft.process(name);
        Map<String, String> env = new LinkedHashMap<>();
        Map<String, Object> limits = new LinkedHashMap<>();
        for (var field : spec.properties()) {
            String key = field.getKey();
            JsonNode value = field.getValue();
            String source = at + "." + key;
            switch (key) {
                case "command", "entrypoint" -> {
                    if (key.equals("command") && spec.has("entrypoint")) {
                        draft.mapped(source, "processes." + name + ".command", "after the entrypoint");
                        break;
                    }
                    List<String> argv = new ArrayList<>(words(value));
                    if (key.equals("entrypoint") && spec.has("command")) {
                        argv.addAll(words(spec.get("command")));
                    }
                    if (argv.isEmpty()) {
                        throw new InteropException(file + ": " + source + " is empty");
                    }
                    draft.set(name, "command", argv, source, "run on the host, directly");
                }
                case "working_dir" ->
                    draft.set(name, "cwd", draft.path(file.getParent().resolve(value.asText())), source);
                case "environment" -> {
                    if (value.isArray()) {
                        for (JsonNode item : value) {
                            String text = item.asText();
                            int equals = text.indexOf('=');
                            if (equals < 0) {
                                draft.mapped(
                                        source + "." + text,
                                        "drover's default",
                                        "processes inherit drover's environment");
                            } else {
                                env.put(text.substring(0, equals), text.substring(equals + 1));
                            }
                        }
                    } else {
                        for (var variable : value.properties()) {
                            if (variable.getValue().isNull()) {
                                draft.mapped(
                                        source + "." + variable.getKey(),
                                        "drover's default",
                                        "processes inherit drover's environment");
                            } else {
                                env.put(variable.getKey(), variable.getValue().asText());
                            }
                        }
                    }
                    draft.mapped(source, "processes." + name + ".env");
                }
                case "env_file" -> {
                    List<JsonNode> files = new ArrayList<>();
                    if (value.isArray()) {
                        value.forEach(files::add);
                    } else {
                        files.add(value);
                    }
                    Map<String, String> fromFiles = new LinkedHashMap<>();
                    for (JsonNode entry : files) {
                        String path = entry.isObject() ? entry.path("path").asText() : entry.asText();
                        boolean required =
                                !entry.isObject() || entry.path("required").asBoolean(true);
                        Path envFile = file.getParent().resolve(path);
                        if (Files.isRegularFile(envFile)) {
                            fromFiles.putAll(dotenv(Importing.read(envFile)));
                        } else if (required) {
                            throw new InteropException(file + ": " + source + ": " + envFile + " does not exist");
                        }
                    }
                    fromFiles.putAll(env);
                    env.clear();
                    env.putAll(fromFiles);
                    draft.mapped(
                            source,
                            "processes." + name + ".env",
                            "its " + fromFiles.size()
                                    + " variables written into env (drover's env_file is for every process)");
                }
                case "depends_on" -> dependencies(name, value, importable, source, draft);
                case "healthcheck" -> healthcheck(name, value, source, draft);
                case "restart" -> restart(name, value.asText(), source, draft);
                case "deploy" -> deploy(name, value, limits, source, draft);
                case "scale" -> draft.set(name, "replicas", value.asInt(), source);
                case "stop_signal" -> draft.set(name, "stop_signal", value.asText(), source);
                case "stop_grace_period" ->
                    duration(value.asText(), source, draft)
                            .ifPresent(d -> draft.set(name, "stop_timeout", d, source, "then SIGKILL"));
                case "ports" -> ports(name, value, source, draft);
                case "user" -> draft.set(name, "user", value.asText(), source);
                case "mem_limit" ->
                    Units.size(value.asText())
                            .ifPresentOrElse(
                                    size -> {
                                        limits.put("memory", size);
                                        draft.mapped(source, "processes." + name + ".limits.memory");
                                    },
                                    () -> draft.unmapped(source, "not a size: " + value.asText()));
                case "cpus" -> {
                    limits.put("cpu", percent(value.asDouble()));
                    draft.mapped(source, "processes." + name + ".limits.cpu", "percent of one core");
                }
                case "profiles" ->
                    draft.set(
                            name,
                            "enabled",
                            false,
                            source,
                            "a service with profiles starts only"
                                    + " when one is active; `drover up` skips it unless it is named");
                default -> {
                    if (CONTAINER_KEYS.contains(key)) {
                        draft.unmapped(source, "a container setting; drover runs the command on the host");
                    } else if (key.startsWith("x-")) {
                        draft.unmapped(source, "an extension drover does not read");
                    } else {
                        draft.unmapped(source, "not a Compose service key drover knows");
                    }
                }
            }
        }
        Object port = draft.process(name).get("port");
        if (port != null && String.valueOf(port).equals(env.get("PORT"))) {
            env.remove("PORT");
            draft.mapped(at + ".environment.PORT", "processes." + name + ".port", "drover exports it as $PORT");
        }
        if (!env.isEmpty()) {
            draft.process(name).put("env", env);
        }
        if (!limits.isEmpty()) {
            draft.process(name).put("limits", limits);
        }
    }

    /** Compose splits a command string as a POSIX shell would split words, without running a shell. */
    private static List<String> words(JsonNode value) throws InteropException {
        if (value.isArray()) {
            List<String> words = new ArrayList<>();
            value.forEach(w -> words.add(w.asText()));
            return words;
        }
        return Shlex.split(value.asText());
    }

    private static void dependencies(String name, JsonNode value, Set<String> importable, String source, Draft draft) {
        Map<String, Object> dependsOn = new LinkedHashMap<>();
        if (value.isArray()) {
            for (JsonNode item : value) {
                dependency(
                        name,
                        item.asText(),
                        "service_started",
                        importable,
                        source + "." + item.asText(),
                        dependsOn,
                        draft);
            }
        } else {
            for (var entry : value.properties()) {
                String at = source + "." + entry.getKey();
                dependency(
                        name,
                        entry.getKey(),
                        entry.getValue().path("condition").asText("service_started"),
                        importable,
                        at,
                        dependsOn,
                        draft);
                for (var option : entry.getValue().properties()) {
                    if (option.getKey().equals("required") && option.getValue().asBoolean(true)
                            || option.getKey().equals("condition")) {
                        continue;
                    }
                    draft.unmapped(
                            at + "." + option.getKey(),
                            option.getKey().equals("restart")
                                    ? "drover does not restart a dependent when its dependency restarts"
                                    : "drover requires every dependency");
                }
            }
        }
        if (!dependsOn.isEmpty()) {
            draft.process(name).put("depends_on", dependsOn);
        }
    }

    private static void dependency(
            String name,
            String on,
            String condition,
            Set<String> importable,
            String source,
            Map<String, Object> dependsOn,
            Draft draft) {
        if (!importable.contains(on)) {
            draft.unmapped(source, "service " + on + " is not imported (it runs only an image): nothing to wait for");
            return;
        }
        String mapped = CONDITIONS.get(condition);
        if (mapped == null) {
            draft.unmapped(source, "unknown condition " + condition);
            return;
        }
        String process = on.replaceAll("[^A-Za-z0-9_-]", "-");
        dependsOn.put(process, Map.of("condition", mapped));
        draft.mapped(source, "processes." + name + ".depends_on." + process, mapped);
    }

    private static void healthcheck(String name, JsonNode value, String source, Draft draft) {
        if (value.path("disable").asBoolean(false)) {
            draft.mapped(source + ".disable", "processes." + name, "no readiness probe");
            return;
        }
        Map<String, Object> probe = new LinkedHashMap<>();
        String target = "processes." + name + ".readiness";
        for (var field : value.properties()) {
            String at = source + "." + field.getKey();
            JsonNode v = field.getValue();
            switch (field.getKey()) {
                case "test" -> {
                    Object check = test(v);
                    if (check == null) {
                        draft.mapped(at, "processes." + name, "NONE: no readiness probe");
                        return;
                    }
                    probe.put("exec", check);
                    draft.mapped(at, target + ".exec", "run on the host");
                }
                case "interval" ->
                    duration(v.asText(), at, draft).ifPresent(d -> {
                        probe.put("interval", d);
                        draft.mapped(at, target + ".interval");
                    });
                case "timeout" ->
                    duration(v.asText(), at, draft).ifPresent(d -> {
                        probe.put("timeout", d);
                        draft.mapped(at, target + ".timeout");
                    });
                case "retries" -> {
                    probe.put("failure_threshold", v.asInt());
                    draft.mapped(at, target + ".failure_threshold");
                }
                case "start_period" ->
                    draft.mapped(
                            at,
                            target,
                            "needs no equivalent: drover's readiness never"
                                    + " restarts a process, failures before the first success only keep it not ready");
                case "start_interval" -> draft.unmapped(at, "drover probes at one interval");
                case "disable" -> {}
                default -> draft.unmapped(at, "not a healthcheck key drover knows");
            }
        }
        if (!probe.containsKey("exec")) {
            return;
        }
        // Compose's defaults, which differ from drover's (10s interval, 1s timeout).
        probe.putIfAbsent("interval", "30s");
        probe.putIfAbsent("timeout", "30s");
        draft.process(name).put("readiness", probe);
    }

    /** {@code ["CMD", …]} → an argv, {@code ["CMD-SHELL", s]} or a string → a shell string, NONE → null. */
    private static Object test(JsonNode v) {
        if (v.isArray() && !v.isEmpty()) {
            String kind = v.get(0).asText();
            if (kind.equals("NONE")) {
                return null;
            }
            if (kind.equals("CMD-SHELL")) {
                return v.path(1).asText();
            }
            List<String> argv = new ArrayList<>();
            for (int i = kind.equals("CMD") ? 1 : 0; i < v.size(); i++) {
                argv.add(v.get(i).asText());
            }
            return argv;
        }
        return v.asText();
    }

    private static void restart(String name, String policy, String source, Draft draft) {
        String p = policy.strip().toLowerCase(Locale.ROOT);
        switch (p.contains(":") ? p.substring(0, p.indexOf(':')) : p) {
            case "no", "false" -> draft.set(name, "restart", "no", source);
            case "always" -> draft.set(name, "restart", "always", source);
            case "unless-stopped" ->
                draft.set(name, "restart", "always", source, "drover never restarts what was stopped on purpose");
            case "on-failure" -> {
                draft.set(name, "restart", "on-failure", source);
                if (p.contains(":")) {
                    draft.set(
                            name,
                            "max_restarts",
                            Integer.parseInt(p.substring(p.indexOf(':') + 1)),
                            source,
                            "within restart_window (60s)");
                }
            }
            default -> draft.unmapped(source, "unknown restart policy " + policy);
        }
    }

    private static void deploy(String name, JsonNode value, Map<String, Object> limits, String source, Draft draft) {
        for (var field : value.properties()) {
            String at = source + "." + field.getKey();
            JsonNode v = field.getValue();
            switch (field.getKey()) {
                case "replicas" -> draft.set(name, "replicas", v.asInt(), at);
                case "resources" -> {
                    for (var kind : v.properties()) {
                        if (!kind.getKey().equals("limits")) {
                            kind.getValue()
                                    .properties()
                                    .forEach(r -> draft.unmapped(
                                            at + "." + kind.getKey() + "." + r.getKey(),
                                            "drover enforces limits only; it reserves nothing"));
                            continue;
                        }
                        for (var limit : kind.getValue().properties()) {
                            String limitAt = at + ".limits." + limit.getKey();
                            switch (limit.getKey()) {
                                case "memory" ->
                                    Units.size(limit.getValue().asText())
                                            .ifPresentOrElse(
                                                    size -> {
                                                        limits.put("memory", size);
                                                        draft.mapped(limitAt, "processes." + name + ".limits.memory");
                                                    },
                                                    () -> draft.unmapped(
                                                            limitAt,
                                                            "not a size: "
                                                                    + limit.getValue()
                                                                            .asText()));
                                case "cpus" -> {
                                    limits.put("cpu", percent(limit.getValue().asDouble()));
                                    draft.mapped(limitAt, "processes." + name + ".limits.cpu", "percent of one core");
                                }
                                default -> draft.unmapped(limitAt, "drover limits memory and cpu only");
                            }
                        }
                    }
                }
                case "restart_policy" -> {
                    for (var option : v.properties()) {
                        String optionAt = at + "." + option.getKey();
                        JsonNode o = option.getValue();
                        switch (option.getKey()) {
                            case "condition" ->
                                restart(
                                        name,
                                        switch (o.asText()) {
                                            case "none" -> "no";
                                            case "any" -> "always";
                                            default -> o.asText();
                                        },
                                        optionAt,
                                        draft);
                            case "max_attempts" -> draft.set(name, "max_restarts", o.asInt(), optionAt);
                            case "delay" ->
                                duration(o.asText(), optionAt, draft).ifPresent(d -> {
                                    Map<String, Object> backoff = new LinkedHashMap<>();
                                    backoff.put("initial", d);
                                    backoff.put("max", d);
                                    backoff.put("multiplier", 1);
                                    draft.set(name, "backoff", backoff, optionAt, "a fixed delay");
                                });
                            case "window" ->
                                duration(o.asText(), optionAt, draft)
                                        .ifPresent(d -> draft.set(name, "restart_window", d, optionAt));
                            default -> draft.unmapped(optionAt, "not a restart_policy key drover knows");
                        }
                    }
                }
                default -> draft.unmapped(at, "a Swarm placement or update setting; drover runs on one host");
            }
        }
    }

    private static void ports(String name, JsonNode value, String source, Draft draft) {
        if (value.size() != 1) {
            draft.unmapped(source, "a process on the host listens where it listens; drover takes one `port`");
            return;
        }
        JsonNode only = value.get(0);
        String published;
        String target;
        if (only.isObject()) {
            published = only.path("published").asText("");
            target = only.path("target").asText("");
        } else {
            Matcher m = PORT.matcher(only.asText());
            if (!m.matches()) {
                draft.unmapped(source, "not a port mapping drover can read: " + only.asText());
                return;
            }
            published = m.group(1) == null ? m.group(2) : m.group(1);
            target = m.group(2);
        }
        if (!published.isEmpty() && !published.equals(target)) {
            draft.unmapped(
                    source,
                    "on the host there is no port mapping: the process listens on " + target + " itself, not "
                            + published);
            return;
        }
        draft.set(name, "port", Integer.parseInt(target), source, "exported to the process as $PORT");
    }

    private static java.util.Optional<String> duration(String text, String source, Draft draft) {
        var duration = Units.goDuration(text);
        if (duration.isEmpty()) {
            draft.unmapped(source, "not a duration: " + text);
        }
        return duration;
    }

    private static String percent(double cpus) {
        double percent = cpus * 100;
        return (percent == Math.rint(percent) ? Long.toString((long) percent) : Double.toString(percent)) + "%";
    }

    /** KEY=VALUE lines as Compose reads an env_file: {@code #} comments, optional quotes. */
    private static Map<String, String> dotenv(String text) {
        Map<String, String> values = new LinkedHashMap<>();
        for (String raw : text.lines().toList()) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            if (line.startsWith("export ")) {
                line = line.substring(7).strip();
            }
            int equals = line.indexOf('=');
            if (equals <= 0) {
                continue;
            }
            String value = line.substring(equals + 1).strip();
            if (value.length() >= 2
                    && (value.startsWith("\"") && value.endsWith("\"")
                            || value.startsWith("'") && value.endsWith("'"))) {
                value = value.substring(1, value.length() - 1);
            }
            values.put(line.substring(0, equals).strip(), Units.literal(value));
        }
        return values;
    }
}
