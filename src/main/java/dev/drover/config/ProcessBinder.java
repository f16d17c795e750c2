package dev.drover.config;

import dev.drover.config.Dependency.Condition;
import dev.drover.config.YamlNode.Entry;
import dev.drover.config.YamlNode.Kind;
import dev.drover.config.YamlNode.Mapping;
import dev.drover.config.YamlNode.Scalar;
import dev.drover.config.YamlNode.Sequence;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Reads one entry of {@code processes} into a {@link ProcessSpec}, filling {@link Defaults} for
 * what is missing. A bad value is reported and replaced by its default, so the result is always
 * complete enough for the validator to look for further problems.
 */
final class ProcessBinder {

    static final List<String> KEYS = Stream.concat(
                    Stream.of(
                            "command",
                            "cwd",
                            "env",
                            "port",
                            "replicas",
                            "depends_on",
                            "restart",
                            "max_restarts",
                            "restart_window",
                            "backoff",
                            "stop_signal",
                            "stop_timeout",
                            "readiness",
                            "liveness",
                            "limits",
                            "log",
                            "enabled",
                            "min_uptime",
                            "start_period",
                            "drain_timeout",
                            "rollout",
                            "start",
                            "idle_stop"),
                    OperationsBinder.KEYS.stream())
            .toList();
    // No dots: "api.0" names replica 0 of process "api".
    static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]+");

    private static final List<String> BACKOFF_KEYS = List.of("initial", "max", "multiplier", "reset_after");
    private static final List<String> LIMITS_KEYS = List.of("memory", "cpu");
    private static final List<String> LOG_KEYS = List.of("max_size", "keep", "timestamps");
    private static final List<String> DEPENDENCY_KEYS = List.of("condition");
    private static final List<String> ROLLOUT_KEYS = List.of("max_surge", "max_unavailable", "ready_timeout");
    private static final Command NO_COMMAND = new Command.Exec(List.of());

    private final NodeReader reader;
    private final Path baseDir;
    private final Map<String, String> sharedEnv;

    ProcessBinder(NodeReader reader, Path baseDir, Map<String, String> sharedEnv) {
        this.reader = reader;
        this.baseDir = baseDir;
        this.sharedEnv = sharedEnv;
    }

    ProcessSpec bind(Entry entry) {
        String name = entry.key();
        String path = KeyPaths.child("processes", name);
        if (!NAME.matcher(name).matches()) {
            reader.errors()
                    .add(
                            entry.keyPosition(),
                            path,
                            "invalid process name \"" + name
                                    + "\": use letters, digits, _ and - (a dot names a replica, like api.0)");
        }
        Optional<Fields> found = reader.fields(entry.value(), path, KEYS);
        if (found.isEmpty()) {
            return Defaults.process(name, NO_COMMAND, baseDir);
        }
        Fields f = found.get();
        Map<String, String> env = new LinkedHashMap<>(sharedEnv);
        env.putAll(f.stringMap("env"));
        RestartPolicy restart =
                f.node("restart").flatMap(n -> restart(n, f.path("restart"))).orElse(Defaults.RESTART);
        int replicas = f.integer("replicas", 1).orElse(Defaults.REPLICAS);
        return new ProcessSpec(
                name,
                command(f, entry),
                f.text("cwd").flatMap(cwd -> directory(cwd, f)).orElse(baseDir),
                env,
                f.node("port").flatMap(n -> port(n, f.path("port"))).orElse(null),
                replicas,
                dependencies(f),
                restart,
                f.integer("max_restarts", 0).orElse(Defaults.MAX_RESTARTS),
                f.positiveDuration("restart_window").orElse(Defaults.RESTART_WINDOW),
                f.fields("backoff", BACKOFF_KEYS).map(this::backoff).orElse(Defaults.BACKOFF),
                f.node("stop_signal")
                        .flatMap(n -> stopSignal(n, f.path("stop_signal")))
                        .orElse(Defaults.STOP_SIGNAL),
                f.duration("stop_timeout").orElse(Defaults.STOP_TIMEOUT),
                probe(f, "readiness"),
                probe(f, "liveness"),
                f.fields("limits", LIMITS_KEYS).map(this::limits).orElse(Defaults.LIMITS),
                OperationsBinder.placedLog(
                        f, f.fields("log", LOG_KEYS).map(ProcessBinder::log).orElse(Defaults.LOG), baseDir, replicas),
                f.bool("enabled").orElse(Defaults.ENABLED),
                f.duration("min_uptime").orElse(Defaults.MIN_UPTIME),
                f.duration("start_period").orElse(Defaults.START_PERIOD),
                traffic(f),
                OperationsBinder.runAs(f),
                OperationsBinder.hooks(f),
                f.duration("start_delay").orElse(Defaults.START_DELAY),
                OperationsBinder.schedule(f, restart, replicas),
                OperationsBinder.pidFile(f, baseDir, replicas),
                OperationsBinder.notify(f));
    }

    /** drain_timeout, rollout, start: on_demand and idle_stop: how the proxy takes it in and out of rotation. */
    private TrafficSpec traffic(Fields f) {
        TrafficSpec d = Defaults.TRAFFIC;
        Duration drain = f.duration("drain_timeout").orElse(d.drainTimeout());
        Optional<Fields> rollout = f.fields("rollout", ROLLOUT_KEYS);
        int surge = rollout.flatMap(r -> r.integer("max_surge", 0)).orElse(d.maxSurge());
        int unavailable = rollout.flatMap(r -> r.integer("max_unavailable", 0)).orElse(d.maxUnavailable());
        if (surge == 0 && unavailable == 0) {
            reader.errors()
                    .add(
                            f.keyPosition("rollout").orElseThrow(),
                            f.path("rollout"),
                            "max_surge and max_unavailable cannot both be 0: a rollout could never replace an instance");
        }
        Duration readyTimeout =
                rollout.flatMap(r -> r.positiveDuration("ready_timeout")).orElse(d.readyTimeout());
        boolean onDemand = f.text("start")
                .map(text -> switch (text.strip()) {
                    case "on_demand" -> true;
                    case "auto" -> false;
                    default -> {
                        reader.error(
                                f.node("start").orElseThrow(),
                                f.path("start"),
                                "expected auto (started by up) or on_demand (started by"
                                        + " its first routed request), got \"" + text + "\"");
                        yield false;
                    }
                })
                .orElse(d.onDemand());
        Duration idleStop = f.positiveDuration("idle_stop").orElse(d.idleStop());
        if (idleStop != null && !onDemand) {
            reader.error(
                    f.node("idle_stop").orElseThrow(),
                    f.path("idle_stop"),
                    "idle_stop needs start: on_demand (what stops for being idle"
                            + " must be started again by a request)");
        }
        return new TrafficSpec(drain, surge, unavailable, readyTimeout, onDemand, idleStop);
    }

    private Command command(Fields f, Entry process) {
        Optional<YamlNode> node = f.node("command");
        if (node.isEmpty()) {
            reader.errors()
                    .add(f.keyPosition("command").orElse(process.keyPosition()), f.path("command"), "missing command");
            return NO_COMMAND;
        }
        return CommandBinder.bind(node.get(), f.path("command"), reader).orElse(NO_COMMAND);
    }

    private Optional<Path> directory(String text, Fields f) {
        try {
            return Optional.of(baseDir.resolve(text).normalize());
        } catch (InvalidPathException e) {
            reader.error(f.node("cwd").orElseThrow(), f.path("cwd"), "invalid path \"" + text + "\": " + e.getReason());
            return Optional.empty();
        }
    }

    private Optional<PortSpec> port(YamlNode node, String path) {
        return reader.text(node, path, "a port number or auto").flatMap(text -> {
            String port = text.strip();
            if (port.equalsIgnoreCase("auto")) {
                return Optional.of(new PortSpec.Auto());
            }
            int number = port.matches("\\d{1,5}") ? Integer.parseInt(port) : -1;
            if (number >= 1 && number <= 65535) {
                return Optional.of(new PortSpec.Fixed(number));
            }
            reader.error(node, path, "expected a port number (1-65535) or auto, got " + node.describe());
            return Optional.empty();
        });
    }

    /** {@code depends_on} as a map of name to condition, or as a list of names (condition started). */
    private List<Dependency> dependencies(Fields f) {
        String path = f.path("depends_on");
        List<Dependency> dependencies = new ArrayList<>();
        switch (f.node("depends_on").orElse(null)) {
            case null -> {}
            case Mapping map -> {
                for (Entry entry : map.entries()) {
                    dependencies.add(
                            new Dependency(entry.key(), condition(entry.value(), KeyPaths.child(path, entry.key()))));
                }
            }
            case Sequence list -> {
                Set<String> seen = new HashSet<>();
                for (int i = 0; i < list.items().size(); i++) {
                    YamlNode item = list.items().get(i);
                    String itemPath = KeyPaths.index(path, i);
                    Optional<String> name = reader.text(item, itemPath, "a process name");
                    if (name.isPresent() && !seen.add(name.get())) {
                        reader.error(item, itemPath, "`" + name.get() + "` is listed twice");
                    } else {
                        name.ifPresent(n -> dependencies.add(new Dependency(n, Condition.STARTED)));
                    }
                }
            }
            case Scalar s ->
                reader.error(
                        s,
                        path,
                        "expected a map like {db: {condition: healthy}} or a list of" + " process names, got "
                                + s.describe());
        }
        return dependencies;
    }

    /** Accepts {@code db: {condition: healthy}}, the shorthand {@code db: healthy}, or {@code db:}. */
    private Condition condition(YamlNode node, String path) {
        Optional<YamlNode> conditionNode = node instanceof Mapping
                ? reader.fields(node, path, DEPENDENCY_KEYS).flatMap(f -> f.node("condition"))
                : Optional.ofNullable(node).filter(n -> !NodeReader.isAbsent(n));
        String conditionPath = node instanceof Mapping ? KeyPaths.child(path, "condition") : path;
        return conditionNode
                .flatMap(n -> reader.text(n, conditionPath).flatMap(text -> {
                    Optional<Condition> condition = Condition.fromYaml(text);
                    if (condition.isEmpty()) {
                        reader.error(
                                n,
                                conditionPath,
                                "expected one of "
                                        + Arrays.stream(Condition.values())
                                                .map(Condition::yamlName)
                                                .collect(Collectors.joining(", "))
                                        + ", got \"" + text + "\"");
                    }
                    return condition;
                }))
                .orElse(Condition.STARTED);
    }

    private Optional<RestartPolicy> restart(YamlNode node, String path) {
        // YAML 1.1 reads a bare `no` as the boolean false; that is what the user meant.
        if (node instanceof Scalar s && s.kind() == Kind.BOOLEAN && !s.booleanValue()) {
            return Optional.of(RestartPolicy.NO);
        }
        String allowed = Arrays.stream(RestartPolicy.values())
                .map(RestartPolicy::yamlName)
                .collect(Collectors.joining(", "));
        return reader.text(node, path, "one of " + allowed).flatMap(text -> {
            Optional<RestartPolicy> policy = RestartPolicy.fromYaml(text);
            if (policy.isEmpty()) {
                reader.error(node, path, "expected one of " + allowed + ", got " + node.describe());
            }
            return policy;
        });
    }

    private Optional<StopSignal> stopSignal(YamlNode node, String path) {
        return reader.text(node, path, "a signal name or number").flatMap(text -> {
            Optional<StopSignal> signal = StopSignal.parse(text);
            if (signal.isEmpty()) {
                reader.error(
                        node,
                        path,
                        "unknown signal \"" + text + "\"; expected one of " + StopSignal.knownNames()
                                + " (with or without SIG), or a number 1-64");
            }
            return signal;
        });
    }

    private BackoffSpec backoff(Fields f) {
        BackoffSpec d = Defaults.BACKOFF;
        Duration initial = f.duration("initial").orElse(d.initial());
        Duration max = f.duration("max").orElse(d.max());
        double multiplier = f.node("multiplier")
                .flatMap(n -> reader.number(n, f.path("multiplier"), false).filter(m -> {
                    if (m < 1) {
                        reader.error(n, f.path("multiplier"), "must be at least 1 (delays never shrink), got " + m);
                    }
                    return m >= 1;
                }))
                .orElse(d.multiplier());
        Duration resetAfter = f.duration("reset_after").orElse(d.resetAfter());
        if (initial.compareTo(max) > 0) {
            String at = f.node("initial").isPresent() ? "initial" : "max";
            reader.error(
                    f.node(at).orElseThrow(),
                    f.path(at),
                    "backoff initial (" + Durations.format(initial) + ") is longer than backoff max ("
                            + Durations.format(max) + ")");
        }
        return new BackoffSpec(initial, max, multiplier, resetAfter);
    }

    private ProbeSpec probe(Fields f, String key) {
        return f.fields(key, ProbeBinder.KEYS)
                .flatMap(probe -> ProbeBinder.bind(probe, f.keyPosition(key).orElseThrow(), f.path(key)))
                .orElse(null);
    }

    private LimitsSpec limits(Fields f) {
        Long memory = f.positiveSize("memory").orElse(null);
        Double cpu = f.node("cpu")
                .flatMap(n -> reader.number(n, f.path("cpu"), true).filter(percent -> {
                    if (percent <= 0) {
                        reader.error(n, f.path("cpu"), "must be more than 0%, got " + n.describe());
                    }
                    return percent > 0;
                }))
                .orElse(null);
        return new LimitsSpec(memory, cpu);
    }

    private static LogSpec log(Fields f) {
        LogSpec d = Defaults.LOG;
        return new LogSpec(
                f.positiveSize("max_size").orElse(d.maxSize()),
                f.integer("keep", 0).orElse(d.keep()),
                f.bool("timestamps").orElse(d.timestamps()));
    }
}
