package dev.drover.config;

import dev.drover.config.YamlNode.Position;
import dev.drover.config.YamlNode.Scalar;
import dev.drover.config.YamlNode.Sequence;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Checks what no single value shows wrong: dependencies, ports shared between processes, routes
 * to processes, and the API's token. Runs on the bound config even when binding found problems,
 * so one run reports everything.
 */
final class ConfigValidator {

    static final int MIN_TOKEN_LENGTH = 20;
    /** Names listed in an error about an unknown process; one error per bad name must stay short. */
    private static final int KNOWN_SHOWN = 10;

    private ConfigValidator() {}

    /** @param root the interpolated tree the config was bound from, to locate problems */
    static void validate(DroverConfig config, YamlNode root, ErrorCollector errors) {
        DependencyValidator.validate(config.processes(), root, errors);
        fixedPorts(config, root, errors);
        routes(config, root, errors);
        api(config, root, errors);
    }

    private static void fixedPorts(DroverConfig config, YamlNode root, ErrorCollector errors) {
        Map<Integer, String> owners = new HashMap<>();
        for (ProcessSpec process : config.processes().values()) {
            if (!(process.port() instanceof PortSpec.Fixed(int port))) {
                continue;
            }
            String key = "processes." + process.name() + ".port";
            Position at = position(root, "processes", process.name(), "port");
            if (process.replicas() > 1) {
                errors.add(
                        at,
                        key,
                        "fixed port " + port + " cannot serve " + process.replicas()
                                + " replicas (each needs its own); use port: auto");
            }
            String owner = owners.putIfAbsent(port, process.name());
            if (owner != null) {
                errors.add(at, key, "port " + port + " is already used by process \"" + owner + "\"");
            }
        }
    }

    private static void routes(DroverConfig config, YamlNode root, ErrorCollector errors) {
        List<YamlNode> items = root.find("routes")
                .filter(Sequence.class::isInstance)
                .map(n -> ((Sequence) n).items())
                .orElse(List.of());
        if (!config.routes().isEmpty() && config.proxy() == null) {
            errors.add(
                    position(root, "routes"),
                    "routes",
                    "routes need a proxy to serve them: add proxy: {listen: \"127.0.0.1:8080\"}");
        }
        Map<String, Integer> seen = new HashMap<>();
        int item = 0;
        for (RouteSpec route : config.routes()) {
            // Routes the binder dropped leave gaps: find this route's item by what it names.
            while (item < items.size() && !names(items.get(item), route)) {
                item++;
            }
            String index = KeyPaths.index("routes", item);
            String same = (route.host() == null ? "*" : route.host()) + " " + route.path();
            Integer earlier = seen.putIfAbsent(same, item);
            if (earlier != null) {
                errors.add(
                        position(root, "routes", item),
                        index,
                        "the same host and path as " + KeyPaths.index("routes", earlier) + " ("
                                + (route.host() == null ? "any host" : route.host()) + ", " + route.path()
                                + "): only the first would ever match");
            }
            if (route.process() != null) {
                Position at = position(root, "routes", item, "process");
                ProcessSpec target = config.processes().get(route.process());
                if (target == null) {
                    errors.add(
                            at,
                            index + ".process",
                            "route to unknown process \"" + route.process() + "\" " + known(config.processes()));
                } else if (target.port() == null) {
                    errors.add(
                            at,
                            index + ".process",
                            "route to process \"" + route.process()
                                    + "\", which has no port (give it port: auto or a number)");
                }
            }
            item++;
        }
        for (ProcessSpec process : config.processes().values()) {
            boolean routed =
                    config.routes().stream().anyMatch(r -> process.name().equals(r.process()));
            if (process.traffic().onDemand() && !routed) {
                errors.add(
                        position(root, "processes", process.name(), "start"),
                        "processes." + process.name() + ".start",
                        "start: on_demand needs a route to the process: only a routed request starts it");
            }
        }
    }

    private static boolean names(YamlNode route, RouteSpec spec) {
        String key = spec.process() != null ? "process" : "target";
        String value = spec.process() != null ? spec.process() : spec.target();
        return route.find(key)
                .filter(p -> p instanceof Scalar s && s.text().strip().equals(value))
                .isPresent();
    }

    private static void api(DroverConfig config, YamlNode root, ErrorCollector errors) {
        ApiSpec api = config.api();
        if (api == null) {
            return;
        }
        if (api.listen() != null && api.token() == null) {
            errors.add(
                    position(root, "api", "listen"),
                    "api.listen",
                    "api.listen is set but api.token is not: the TCP API must require a token");
        }
        if (api.token() != null && api.token().length() < MIN_TOKEN_LENGTH) {
            errors.add(
                    position(root, "api", "token"),
                    "api.token",
                    "token is too short (" + api.token().length() + " characters); use at least " + MIN_TOKEN_LENGTH);
        }
    }

    /** "(known: a, b)", for messages about a name that matches no process; the first few of many. */
    static String known(Map<String, ProcessSpec> processes) {
        if (processes.isEmpty()) {
            return "(no process is defined)";
        }
        List<String> names = processes.keySet().stream().limit(KNOWN_SHOWN).toList();
        int more = processes.size() - names.size();
        return "(known: " + String.join(", ", names) + (more > 0 ? ", and " + more + " more" : "") + ")";
    }

    private static Position position(YamlNode root, Object... path) {
        Optional<YamlNode> node = root.find(path);
        return node.map(YamlNode::position).orElse(Position.UNKNOWN);
    }
}
