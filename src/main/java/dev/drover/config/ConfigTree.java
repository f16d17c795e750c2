package dev.drover.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A loaded configuration written back as drover.yaml's own keys — every default filled in, every
 * variable expanded, every path absolute — as a tree of maps, lists and scalars for {@code drover
 * config} to print as YAML or JSON. Loaded again, it gives the same configuration: every {@code $}
 * that interpolation would read is written {@code $$}, except the per-instance {@code ${PORT}},
 * {@code ${DROVER_PROCESS}} and {@code ${DROVER_REPLICA}}, which stay for the engine. The env files
 * are not named: their variables are written into {@code env} (masked, unless shown).
 */
public final class ConfigTree {
    /** What a masked value is written as. */
    public static final String MASK = "******";

    /**
     * Secret values shorter than this are masked only as values of their own variable, not where
     * they appear inside other values (a secret of "1" would mask every 1 in the file).
     */
    static final int MIN_MASKED_LENGTH = 4;

    /** Parts of a variable's name that make its value a secret, whatever file it came from. */
    static final List<String> SECRET_WORDS = List.of("PASSWORD", "PASSWD", "SECRET", "TOKEN", "KEY", "CREDENTIAL");

    private static final Pattern INSTANCE_REFERENCE = Pattern.compile("\\$\\{("
            + String.join(
                    "|", Interpolation.INSTANCE_VARIABLES.stream().sorted().toList()) + ")(?::-[^}]*)?}");

    private static final ObjectMapper YAML = new ObjectMapper(YAMLFactory.builder()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR)
            .disable(YAMLGenerator.Feature.SPLIT_LINES)
            .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
            .build());
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Set<String> secret;
    private final boolean showSecrets;

    private ConfigTree(Set<String> fromEnvFiles, boolean showSecrets) {
        this.secret = fromEnvFiles;
        this.showSecrets = showSecrets;
    }

    /**
     * @param showSecrets false masks the values of variables an env file defines, of variables whose
     *     name looks secret ({@link #SECRET_WORDS}), and the API token
     */
    public static Map<String, Object> of(ConfigLoader.Resolved resolved, boolean showSecrets) {
        ConfigTree tree = new ConfigTree(resolved.fromEnvFiles(), showSecrets);
        Map<String, Object> root = tree.root(resolved.config());
        if (showSecrets) {
            return root;
        }
        // A secret interpolated into another value (a command's --password ${DB_PASSWORD}) is masked there too.
        List<String> values = new java.util.ArrayList<>();
        tree.secrets(resolved.config()).forEach(value -> values.add(text(value)));
        values.removeIf(value -> value.length() < MIN_MASKED_LENGTH);
        values.sort(java.util.Comparator.comparingInt(String::length).reversed());
        @SuppressWarnings("unchecked")
        Map<String, Object> masked = (Map<String, Object>) maskWithin(root, values);
        return masked;
    }

    /** The values of the variables masked in {@code env}, top level and per process. */
    private Set<String> secrets(DroverConfig config) {
        Set<String> values = new java.util.HashSet<>();
        java.util.function.Consumer<Map<String, String>> collect = env -> env.forEach((key, value) -> {
            if (secret.contains(key) || looksSecret(key)) {
                values.add(value);
            }
        });
        collect.accept(config.env());
        config.processes().values().forEach(p -> collect.accept(p.env()));
        if (config.api() != null && config.api().token() != null) {
            values.add(config.api().token());
        }
        return values;
    }

    /** Every string in the tree with each secret value in it replaced by the mask. */
    private static Object maskWithin(Object node, List<String> secrets) {
        return switch (node) {
            case String text -> {
                String masked = text;
                for (String secret : secrets) {
                    masked = masked.replace(secret, MASK);
                }
                yield masked;
            }
            case Map<?, ?> map -> {
                Map<String, Object> out = new LinkedHashMap<>();
                map.forEach((key, value) -> out.put((String) key, maskWithin(value, secrets)));
                yield out;
            }
            case List<?> list ->
                list.stream().map(item -> maskWithin(item, secrets)).toList();
            default -> node;
        };
    }

    /** The tree as YAML, in the style of the files drover writes (drover import). */
    public static String yaml(Map<String, Object> tree) {
        return write(YAML, tree);
    }

    /** The tree as indented JSON, which is YAML too. */
    public static String json(Map<String, Object> tree) {
        return write(JSON, tree) + "\n";
    }

    private static String write(ObjectMapper mapper, Map<String, Object> tree) {
        try {
            return mapper.writeValueAsString(tree);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a tree of maps, lists and scalars always serializes", e);
        }
    }

    /** Whether {@code drover config} masks a variable of this name that no env file defines. */
    public static boolean looksSecret(String name) {
        String upper = name.toUpperCase(Locale.ROOT);
        return SECRET_WORDS.stream().anyMatch(upper::contains);
    }

    private Map<String, Object> root(DroverConfig config) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("version", config.version());
        root.put("log_dir", text(config.logDir()));
        root.put("env", env(config.env()));
        Map<String, Object> processes = new LinkedHashMap<>();
        config.processes().forEach((name, spec) -> processes.put(name, process(spec)));
        root.put("processes", processes);
        if (!config.routes().isEmpty()) {
            root.put("routes", config.routes().stream().map(ConfigTree::route).toList());
        }
        if (config.proxy() != null) {
            root.put("proxy", proxy(config.proxy()));
        }
        if (config.api() != null) {
            Map<String, Object> api = new LinkedHashMap<>();
            putIfSet(api, "listen", config.api().listen());
            if (config.api().token() != null) {
                api.put("token", showSecrets ? text(config.api().token()) : MASK);
            }
            root.put("api", api);
        }
        return root;
    }

    private Map<String, Object> env(Map<String, String> env) {
        Map<String, Object> out = new LinkedHashMap<>();
        env.forEach((key, value) ->
                out.put(key, !showSecrets && (secret.contains(key) || looksSecret(key)) ? MASK : text(value)));
        return out;
    }

    private Map<String, Object> process(ProcessSpec p) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("command", command(p.command()));
        out.put("cwd", text(p.cwd()));
        out.put("env", env(p.env()));
        switch (p.port()) {
            case null -> {}
            case PortSpec.Auto auto -> out.put("port", "auto");
            case PortSpec.Fixed fixed -> out.put("port", fixed.port());
        }
        out.put("replicas", p.replicas());
        if (!p.dependsOn().isEmpty()) {
            Map<String, Object> dependsOn = new LinkedHashMap<>();
            p.dependsOn()
                    .forEach(d -> dependsOn.put(
                            d.process(), Map.of("condition", d.condition().yamlName())));
            out.put("depends_on", dependsOn);
        }
        out.put("restart", p.restart().yamlName());
        out.put("max_restarts", p.maxRestarts());
        out.put("restart_window", duration(p.restartWindow()));
        Map<String, Object> backoff = new LinkedHashMap<>();
        backoff.put("initial", duration(p.backoff().initial()));
        backoff.put("max", duration(p.backoff().max()));
        backoff.put("multiplier", number(p.backoff().multiplier()));
        backoff.put("reset_after", duration(p.backoff().resetAfter()));
        out.put("backoff", backoff);
        out.put("stop_signal", p.stopSignal().name());
        out.put("stop_timeout", duration(p.stopTimeout()));
        if (p.readiness() != null) {
            out.put("readiness", probe(p.readiness()));
        }
        if (p.liveness() != null) {
            out.put("liveness", probe(p.liveness()));
        }
        if (p.limits().any()) {
            Map<String, Object> limits = new LinkedHashMap<>();
            if (p.limits().memoryBytes() != null) {
                limits.put("memory", size(p.limits().memoryBytes()));
            }
            if (p.limits().cpuPercent() != null) {
                limits.put("cpu", number(p.limits().cpuPercent()) + "%");
            }
            out.put("limits", limits);
        }
        Map<String, Object> log = new LinkedHashMap<>();
        log.put("max_size", size(p.log().maxSize()));
        log.put("keep", p.log().keep());
        log.put("timestamps", p.log().timestamps());
        out.put("log", log);
        out.put("enabled", p.enabled());
        out.put("min_uptime", duration(p.minUptime()));
        if (p.startPeriod() != null) {
            out.put("start_period", duration(p.startPeriod()));
        }
        TrafficSpec traffic = p.traffic();
        out.put("drain_timeout", duration(traffic.drainTimeout()));
        Map<String, Object> rollout = new LinkedHashMap<>();
        rollout.put("max_surge", traffic.maxSurge());
        rollout.put("max_unavailable", traffic.maxUnavailable());
        rollout.put("ready_timeout", duration(traffic.readyTimeout()));
        out.put("rollout", rollout);
        out.put("start", traffic.onDemand() ? "on_demand" : "auto");
        if (traffic.idleStop() != null) {
            out.put("idle_stop", duration(traffic.idleStop()));
        }
        RunAs runAs = p.runAs();
        putIfSet(out, "user", runAs.user());
        putIfSet(out, "group", runAs.group());
        if (runAs.groups() != null) {
            out.put("groups", runAs.groups().stream().map(ConfigTree::text).toList());
        }
        putIfSet(out, "umask", runAs.umaskText());
        if (!p.hooks().preStart().isEmpty()) {
            out.put(
                    "pre_start",
                    p.hooks().preStart().stream().map(ConfigTree::command).toList());
        }
        if (!p.hooks().postStop().isEmpty()) {
            out.put(
                    "post_stop",
                    p.hooks().postStop().stream().map(ConfigTree::command).toList());
        }
        out.put("start_delay", duration(p.startDelay()));
        if (p.schedule() != null) {
            ScheduleSpec s = p.schedule();
            out.put("schedule", text(s.expression()));
            out.put("timezone", s.zone().getId());
            out.put("overlap", s.overlap().yamlName());
            out.put("catch_up", s.catchUp());
        }
        putIfSet(out, "pid_file", p.pidFile());
        return out;
    }

    private static Map<String, Object> probe(ProbeSpec probe) {
        Map<String, Object> out = new LinkedHashMap<>();
        switch (probe.check()) {
            case ProbeCheck.Exec exec -> out.put("exec", command(exec.command()));
            case ProbeCheck.Tcp tcp -> out.put("tcp", text(tcp.address()));
            case ProbeCheck.Http http -> {
                out.put("http", text(http.url()));
                if (http.expect() != null) {
                    Map<String, Object> expect = new LinkedHashMap<>();
                    if (http.expect().status() != null) {
                        expect.put("status", http.expect().status());
                    }
                    putIfSet(expect, "body", http.expect().body());
                    if (!http.expect().json().isEmpty()) {
                        Map<String, Object> json = new LinkedHashMap<>();
                        http.expect().json().forEach((k, v) -> json.put(k, text(v)));
                        expect.put("json", json);
                    }
                    out.put("expect", expect);
                }
            }
        }
        out.put("interval", duration(probe.interval()));
        out.put("timeout", duration(probe.timeout()));
        out.put("initial_delay", duration(probe.initialDelay()));
        out.put("failure_threshold", probe.failureThreshold());
        out.put("success_threshold", probe.successThreshold());
        return out;
    }

    private static Map<String, Object> route(RouteSpec route) {
        Map<String, Object> out = new LinkedHashMap<>();
        putIfSet(out, "host", route.host());
        out.put("path", text(route.path()));
        putIfSet(out, "process", route.process());
        putIfSet(out, "target", route.target());
        out.put("strip_prefix", route.stripPrefix());
        out.put("balance", route.balance().yamlName());
        return out;
    }

    private static Map<String, Object> proxy(ProxySpec proxy) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("listen", text(proxy.listen()));
        if (proxy.tls() != null) {
            ProxySpec.TlsSpec tls = proxy.tls();
            Map<String, Object> t = new LinkedHashMap<>();
            putIfSet(t, "listen", tls.listen());
            putIfSet(t, "cert", tls.cert());
            putIfSet(t, "key", tls.key());
            if (tls.acme() != null) {
                ProxySpec.AcmeSpec acme = tls.acme();
                Map<String, Object> a = new LinkedHashMap<>();
                putIfSet(a, "directory", acme.directory());
                putIfSet(a, "email", acme.email());
                a.put("domains", acme.domains().stream().map(ConfigTree::text).toList());
                putIfSet(a, "ca_cert", acme.caCert());
                putIfSet(a, "storage", acme.storage());
                t.put("acme", a);
            }
            out.put("tls", t);
        }
        Map<String, Object> timeouts = new LinkedHashMap<>();
        timeouts.put("connect", duration(proxy.timeouts().connect()));
        timeouts.put("idle", duration(proxy.timeouts().idle()));
        timeouts.put("request", duration(proxy.timeouts().request()));
        out.put("timeouts", timeouts);
        if (proxy.accessLog() != null) {
            out.put("access_log", Map.of("path", text(proxy.accessLog())));
        }
        out.put("max_body", size(proxy.maxBody()));
        out.put("queue_timeout", duration(proxy.queueTimeout()));
        return out;
    }

    /** A list of words stays a list (run directly); a shell command stays a string. */
    private static Object command(Command command) {
        return switch (command) {
            case Command.Exec exec -> exec.argv().stream().map(ConfigTree::text).toList();
            case Command.Shell shell -> text(shell.script());
        };
    }

    private static void putIfSet(Map<String, Object> out, String key, Object value) {
        if (value != null) {
            out.put(key, text(value));
        }
    }

    /** As a user writes it ({@code 1m30s}); a fraction of a millisecond in milliseconds, so it reads back exactly. */
    private static String duration(Duration duration) {
        if (duration.toNanosPart() % 1_000_000 == 0) {
            return Durations.format(duration);
        }
        return new BigDecimal(duration.toNanos()).movePointLeft(6).toPlainString() + "ms";
    }

    /** The largest unit that divides the size exactly: {@code 10MB}, {@code 1536KB}, {@code 100B}. */
    private static String size(long bytes) {
        String[] units = {"TB", "GB", "MB", "KB"};
        for (int i = 0; i < units.length; i++) {
            long factor = 1L << (10 * (units.length - i));
            if (bytes != 0 && bytes % factor == 0) {
                return bytes / factor + units[i];
            }
        }
        return bytes + "B";
    }

    private static Object number(double value) {
        BigDecimal exact = BigDecimal.valueOf(value).stripTrailingZeros();
        return exact.scale() <= 0 ? (Object) exact.toBigInteger() : exact;
    }

    /** A value as its text, with every {@code $} that interpolation would read doubled. */
    static String text(Object value) {
        String text = value.toString();
        if (text.indexOf('$') < 0) {
            return text;
        }
        // The per-instance references stay as they are; every other dollar is doubled.
        StringBuilder escaped = new StringBuilder();
        Matcher instance = INSTANCE_REFERENCE.matcher(text);
        int at = 0;
        while (instance.find()) {
            escaped.append(text.substring(at, instance.start()).replace("$", "$$"))
                    .append(instance.group());
            at = instance.end();
        }
        return escaped.append(text.substring(at).replace("$", "$$")).toString();
    }

    static String text(Path path) {
        return text((Object) path.toString());
    }
}
