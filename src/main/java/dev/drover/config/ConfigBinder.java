package dev.drover.config;

import dev.drover.config.YamlNode.Entry;
import dev.drover.config.YamlNode.Mapping;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Reads the top level of an interpolated config tree into a {@link DroverConfig}, with defaults. */
final class ConfigBinder {

    static final List<String> KEYS =
            List.of("version", "env", "env_file", "log_dir", "processes", "routes", "proxy", "api");
    /** Top-level keys with this prefix are ignored, as in Compose files: a place for YAML anchors. */
    static final String EXTENSION_PREFIX = "x-";

    private static final List<String> API_KEYS = List.of("listen", "token");

    private final NodeReader reader;
    private final Path baseDir;

    private ConfigBinder(NodeReader reader, Path baseDir) {
        this.reader = reader;
        this.baseDir = baseDir;
    }

    /**
     * @param root the interpolated top-level map; {@code env_file} has already been read
     * @param fileEnv the variables read from the env files, each overridden by the environment
     */
    static DroverConfig bind(
            Mapping root, Path configFile, Path baseDir, Map<String, String> fileEnv, NodeReader reader) {
        return new ConfigBinder(reader, baseDir).bind(root, configFile, fileEnv);
    }

    private DroverConfig bind(Mapping root, Path configFile, Map<String, String> fileEnv) {
        List<String> strays = strayProcesses(root);
        ProxyBinder proxies = new ProxyBinder(reader, baseDir, Defaults.stateDir(configFile));
        Fields f = reader.fields(
                        root.without(key -> key.startsWith(EXTENSION_PREFIX) || strays.contains(key)), "", KEYS)
                .orElseThrow();
        Map<String, String> env = new LinkedHashMap<>(fileEnv);
        env.putAll(f.stringMap("env"));
        return new DroverConfig(
                configFile,
                baseDir,
                version(f),
                env,
                f.text("log_dir")
                        .flatMap(dir -> directory(dir, f, "log_dir"))
                        .orElse(Defaults.stateDir(configFile).resolve("logs")),
                processes(f, root, env),
                proxies.routes(f),
                f.fields("proxy", ProxyBinder.PROXY_KEYS)
                        .flatMap(p -> proxies.proxy(p, f))
                        .orElse(null),
                f.fields("api", API_KEYS).map(ConfigBinder::api).orElse(null));
    }

    /**
     * Top-level keys that look like a process (a map with a {@code command}) but are not indented
     * under {@code processes}: said as such, rather than as unknown keys.
     */
    private List<String> strayProcesses(Mapping root) {
        List<String> strays = new ArrayList<>();
        for (Entry entry : root.entries()) {
            if (!KEYS.contains(entry.key())
                    && entry.value() instanceof Mapping value
                    && value.get("command").isPresent()) {
                reader.errors()
                        .add(
                                entry.keyPosition(),
                                entry.key(),
                                "`" + entry.key() + "` looks like a process, but it is not"
                                        + " indented under `processes`: indent it (and its keys) two more spaces than `processes:`");
                strays.add(entry.key());
            }
        }
        return strays;
    }

    private int version(Fields f) {
        return f.node("version")
                .flatMap(n -> reader.integer(n, f.path("version"), Integer.MIN_VALUE)
                        .filter(v -> {
                            if (v != Defaults.VERSION) {
                                reader.error(
                                        n,
                                        f.path("version"),
                                        "unsupported version " + v + "; this drover reads version " + Defaults.VERSION);
                            }
                            return v == Defaults.VERSION;
                        }))
                .orElse(Defaults.VERSION);
    }

    private Optional<Path> directory(String text, Fields f, String key) {
        try {
            return Optional.of(baseDir.resolve(text).normalize());
        } catch (InvalidPathException e) {
            reader.error(f.node(key).orElseThrow(), f.path(key), "invalid path \"" + text + "\": " + e.getReason());
            return Optional.empty();
        }
    }

    private Map<String, ProcessSpec> processes(Fields f, Mapping root, Map<String, String> env) {
        Map<String, ProcessSpec> processes = new LinkedHashMap<>();
        if (f.keyPosition("processes").isEmpty()) {
            reader.errors().add(root.position(), "processes", "missing `processes`: define at least one process");
            return processes;
        }
        Optional<YamlNode> node = f.node("processes");
        Optional<Mapping> mapping = node.flatMap(n -> reader.mapping(n, "processes"));
        if (node.isPresent() && mapping.isEmpty()) {
            return processes; // wrong type, already reported
        }
        if (mapping.map(m -> m.entries().isEmpty()).orElse(true)) {
            reader.errors()
                    .add(
                            f.keyPosition("processes").orElseThrow(),
                            "processes",
                            "`processes` is empty: define at least one process");
            return processes;
        }
        var binder = new ProcessBinder(reader, baseDir, env);
        for (Entry entry : mapping.get().entries()) {
            processes.put(entry.key(), binder.bind(entry));
        }
        return processes;
    }

    private static ApiSpec api(Fields api) {
        String listen = api.text("listen")
                .map(String::strip)
                .filter(address -> checkAddress(address, api, "listen"))
                .orElse(null);
        return new ApiSpec(listen, api.text("token").orElse(null));
    }

    static boolean checkAddress(String address, Fields f, String key) {
        Optional<String> problem = HostPort.problem(address, 0);
        problem.ifPresent(p -> f.reader().error(f.node(key).orElseThrow(), f.path(key), p));
        return problem.isEmpty();
    }
}
