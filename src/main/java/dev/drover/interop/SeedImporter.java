package dev.drover.interop;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The proxy server's two files: {@code processes.yaml} (a list of processes with {@code
 * restartPolicy} and {@code healthCheck}) and, beside it, {@code proxy.yaml} (its {@code routes}).
 * Times are milliseconds when they are numbers.
 */
final class SeedImporter implements Importer {
    /** Where the proxy listens when proxy.yaml does not say: the port such servers usually take. */
    static final String DEFAULT_LISTEN = "127.0.0.1:8080";

    @Override
    public void read(Path file, String content, ImportOptions options, Draft draft) throws InteropException {
        JsonNode root = DroverYaml.read(content, file.getFileName().toString());
        JsonNode processes = root.path("processes");
        if (!processes.isArray()) {
            throw new InteropException(file + ": expected `processes`, a list of processes");
        }
        for (var field : root.properties()) {
            if (!field.getKey().equals("processes")) {
                draft.unmapped(field.getKey(), "not a processes.yaml key drover knows");
            }
        }
        Map<String, String> byId = new LinkedHashMap<>();
        for (int i = 0; i < processes.size(); i++) {
            process(processes.get(i), i, file, draft, byId);
        }
        Path proxy = file.resolveSibling("proxy.yaml");
        if (Files.isRegularFile(proxy)) {
            routes(proxy, draft, byId);
        } else {
            draft.unmapped("proxy.yaml", "there is none beside " + file.getFileName() + ": no routes imported");
        }
    }

    private static void process(JsonNode spec, int index, Path file, Draft draft, Map<String, String> byId)
            throws InteropException {
        String at = "processes[" + index + "]";
        String id = spec.path("id").asText(spec.path("name").asText(""));
        if (id.isEmpty()) {
            throw new InteropException(file + ": " + at + " has neither id nor name");
        }
        if (!spec.hasNonNull("command")) {
            throw new InteropException(file + ": " + at + " (" + id + ") has no command");
        }
        String name = id.replaceAll("[^A-Za-z0-9_-]", "-");
        byId.put(id, name);
        draft.process(name);
        for (var field : spec.properties()) {
            String key = field.getKey();
            JsonNode v = field.getValue();
            String source = at + "." + key;
            switch (key) {
                case "id" -> draft.mapped(source, "processes." + name, name.equals(id) ? "" : "renamed");
                case "name" ->
                    draft.unmapped(
                            source,
                            "drover names a process by its id (" + name + "); keep \"" + v.asText()
                                    + "\" as a comment");
                case "command" -> {
                    List<String> argv = new ArrayList<>();
                    if (spec.has("args")) {
                        argv.add(v.asText());
                        spec.get("args").forEach(a -> argv.add(a.asText()));
                        draft.set(
                                name,
                                "command",
                                argv.stream().map(Units::literal).toList(),
                                source,
                                "with args, run directly");
                    } else {
                        draft.set(name, "command", Units.literal(v.asText()), source);
                    }
                }
                case "args" -> draft.mapped(source, "processes." + name + ".command");
                case "cwd" -> draft.set(name, "cwd", draft.path(file.getParent().resolve(v.asText())), source);
                case "env" -> {
                    Map<String, String> env = new LinkedHashMap<>();
                    v.properties()
                            .forEach(e -> env.put(
                                    e.getKey(), Units.literal(e.getValue().asText())));
                    draft.set(name, "env", env, source);
                }
                case "pidFile" -> draft.unmapped(source, "drover keeps PIDs (with start times) in its state file");
                case "logFile" ->
                    draft.set(name, "log_file", draft.path(file.getParent().resolve(v.asText())), source);
                case "restartPolicy" -> restartPolicy(name, v, source, draft);
                case "healthCheck" -> healthCheck(name, v, source, draft);
                default -> draft.unmapped(source, "not a process key drover knows");
            }
        }
    }

    private static void restartPolicy(String name, JsonNode v, String source, Draft draft) {
        for (var field : v.properties()) {
            String at = source + "." + field.getKey();
            switch (field.getKey()) {
                case "maxAttempts" -> {
                    int attempts = field.getValue().asInt();
                    if (attempts == 0) {
                        draft.set(name, "restart", "no", at, "0 attempts: never restarted");
                    } else {
                        draft.set(name, "max_restarts", attempts, at, "within restart_window (60s)");
                    }
                }
                case "delay" ->
                    millis(field.getValue(), at, draft).ifPresent(d -> {
                        Map<String, Object> backoff = new LinkedHashMap<>();
                        backoff.put("initial", d);
                        backoff.put("max", d);
                        backoff.put("multiplier", 1);
                        draft.set(name, "backoff", backoff, at, "a fixed delay");
                    });
                default -> draft.unmapped(at, "not a restartPolicy key drover knows");
            }
        }
    }

    private static void healthCheck(String name, JsonNode v, String source, Draft draft) {
        if (!v.path("enabled").asBoolean(true) || !v.hasNonNull("url")) {
            v.properties()
                    .forEach(f -> draft.unmapped(
                            source + "." + f.getKey(),
                            v.path("enabled").asBoolean(true)
                                    ? "a health check without a url: no probe"
                                    : "the health check is disabled: no probe"));
            return;
        }
        Map<String, Object> probe = new LinkedHashMap<>();
        String target = "processes." + name + ".readiness";
        for (var field : v.properties()) {
            String at = source + "." + field.getKey();
            switch (field.getKey()) {
                case "enabled" -> draft.mapped(at, target);
                case "url" -> {
                    probe.put("http", Units.literal(field.getValue().asText()));
                    draft.mapped(at, target + ".http", "200-399 is healthy");
                }
                case "interval" ->
                    millis(field.getValue(), at, draft).ifPresent(d -> {
                        probe.put("interval", d);
                        draft.mapped(at, target + ".interval");
                    });
                case "timeout" ->
                    millis(field.getValue(), at, draft).ifPresent(d -> {
                        probe.put("timeout", d);
                        draft.mapped(at, target + ".timeout");
                    });
                default -> draft.unmapped(at, "not a healthCheck key drover knows");
            }
        }
        draft.process(name).put("readiness", probe);
    }

    private static void routes(Path proxy, Draft draft, Map<String, String> byId) throws InteropException {
        JsonNode root =
                DroverYaml.read(Importing.read(proxy), proxy.getFileName().toString());
        List<Object> routes = new ArrayList<>();
        String listen = DEFAULT_LISTEN;
        for (var field : root.properties()) {
            String key = "proxy.yaml " + field.getKey();
            switch (field.getKey()) {
                case "routes" -> {}
                case "port" -> {
                    listen = "0.0.0.0:" + field.getValue().asInt();
                    draft.mapped(key, "proxy.listen", listen);
                }
                case "host" -> draft.mapped(key, "proxy.listen", "with port");
                default -> draft.unmapped(key, "not a proxy.yaml key drover knows");
            }
        }
        if (root.has("host") && root.has("port")) {
            listen = root.get("host").asText() + ":" + root.get("port").asInt();
        }
        JsonNode list = root.path("routes");
        for (int i = 0; i < list.size(); i++) {
            JsonNode route = list.get(i);
            String at = "proxy.yaml routes[" + i + "]";
            String target = "routes[" + routes.size() + "]";
            Map<String, Object> out = new LinkedHashMap<>();
            String process = route.path("process").asText("");
            for (var field : route.properties()) {
                String source = at + "." + field.getKey();
                JsonNode v = field.getValue();
                switch (field.getKey()) {
                    case "domain" -> {
                        if (!v.asText().isEmpty() && !v.asText().equals("*")) {
                            out.put("host", v.asText());
                        }
                        draft.mapped(source, target + ".host");
                    }
                    case "path" -> {
                        out.put("path", v.asText().isEmpty() ? "/" : v.asText());
                        draft.mapped(source, target + ".path");
                    }
                    case "process" -> {
                        if (byId.containsKey(v.asText())) {
                            out.put("process", byId.get(v.asText()));
                            draft.mapped(source, target + ".process", "its ready instances");
                        } else {
                            draft.unmapped(
                                    source,
                                    "no process " + v.asText() + " in processes.yaml; the route goes"
                                            + " to its target");
                        }
                    }
                    case "target" -> {
                        Optional<Integer> port = port(v.asText());
                        String owner = byId.get(process);
                        if (owner != null && port.isPresent()) {
                            draft.process(owner).putIfAbsent("port", port.get());
                            draft.mapped(
                                    source,
                                    "processes." + owner + ".port",
                                    "the process listens on " + port.get()
                                            + " (exported as $PORT); the route names the process");
                        } else {
                            out.put("target", v.asText());
                            draft.mapped(source, target + ".target");
                        }
                    }
                    case "ssl" ->
                        draft.unmapped(
                                source,
                                v.asBoolean()
                                        ? "TLS is set once for the proxy: proxy.tls with cert and key, or acme (docs/proxy.md)"
                                        : "plain HTTP is drover's default");
                    default -> draft.unmapped(source, "not a route key drover knows");
                }
            }
            if (out.containsKey("process") && out.containsKey("target")) {
                out.remove("target");
            }
            if (!out.containsKey("process") && !out.containsKey("target")) {
                draft.unmapped(at, "neither a known process nor a target: left out");
                continue;
            }
            routes.add(out);
        }
        if (!routes.isEmpty()) {
            draft.root().put("routes", routes);
            draft.root().put("proxy", Map.of("listen", listen));
            if (listen.equals(DEFAULT_LISTEN)) {
                draft.mapped("proxy.yaml (no port)", "proxy.listen", DEFAULT_LISTEN);
            }
        }
    }

    private static Optional<Integer> port(String url) {
        try {
            URI uri = new URI(url);
            String host = uri.getHost();
            boolean local =
                    host != null && (host.equals("localhost") || host.equals("127.0.0.1") || host.equals("::1"));
            return local && uri.getPort() > 0 ? Optional.of(uri.getPort()) : Optional.empty();
        } catch (URISyntaxException e) {
            return Optional.empty();
        }
    }

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
}
