package dev.drover.config;

import dev.drover.config.YamlNode.Position;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** Reads a {@code readiness} or {@code liveness} section into a {@link ProbeSpec}. */
final class ProbeBinder {

    static final List<String> KEYS = List.of(
            "exec",
            "http",
            "tcp",
            "expect",
            "interval",
            "timeout",
            "initial_delay",
            "failure_threshold",
            "success_threshold");
    private static final List<String> CHECKS = List.of("exec", "http", "tcp");

    private ProbeBinder() {}

    /**
     * @param keyAt where the probe's own key ({@code readiness:}) is, for errors about the whole probe
     * @return empty when the probe is unusable (the reason is reported)
     */
    static Optional<ProbeSpec> bind(Fields probe, Position keyAt, String path) {
        NodeReader reader = probe.reader();
        List<String> checks =
                CHECKS.stream().filter(k -> probe.node(k).isPresent()).toList();
        Optional<ProbeCheck> check = Optional.empty();
        if (checks.isEmpty()) {
            reader.errors().add(keyAt, path, "a probe needs one of exec, http or tcp");
        } else if (checks.size() > 1) {
            reader.errors()
                    .add(
                            probe.keyPosition(checks.get(1)).orElse(keyAt),
                            path,
                            "a probe runs exactly one of exec, http or tcp, but this one has "
                                    + String.join(" and ", checks));
        } else {
            check = check(probe, checks.getFirst());
        }
        var interval = probe.positiveDuration("interval").orElse(Defaults.PROBE_INTERVAL);
        var timeout = probe.positiveDuration("timeout").orElse(Defaults.PROBE_TIMEOUT);
        var initialDelay = probe.duration("initial_delay").orElse(Defaults.PROBE_INITIAL_DELAY);
        int failureThreshold = probe.integer("failure_threshold", 1).orElse(Defaults.PROBE_FAILURE_THRESHOLD);
        int successThreshold = probe.integer("success_threshold", 1).orElse(Defaults.PROBE_SUCCESS_THRESHOLD);
        if (probe.node("expect").isPresent()) {
            if (check.orElse(null) instanceof ProbeCheck.Http http) {
                check = Optional.of(expect(probe)
                        .map(e -> (ProbeCheck) new ProbeCheck.Http(http.url(), e))
                        .orElse(http));
            } else if (check.isPresent()) {
                reader.error(probe.node("expect").orElseThrow(), probe.path("expect"), "expect needs an http probe");
            }
        }
        return check.map(c -> new ProbeSpec(c, interval, timeout, initialDelay, failureThreshold, successThreshold));
    }

    /** {@code expect: {status: 200, body: "ok", json: {status: ok}}}. */
    private static Optional<ProbeCheck.Expect> expect(Fields probe) {
        return probe.fields("expect", List.of("status", "body", "json")).map(e -> {
            Integer status = e.integer("status", 100)
                    .filter(code -> {
                        if (code > 599) {
                            e.reader()
                                    .error(
                                            e.node("status").orElseThrow(),
                                            e.path("status"),
                                            "expected an HTTP status from 100 to 599, got " + code);
                        }
                        return code <= 599;
                    })
                    .orElse(null);
            String body = e.text("body").orElse(null);
            java.util.Map<String, String> json = e.stringMap("json");
            if (status == null && body == null && json.isEmpty()) {
                e.reader()
                        .error(
                                probe.node("expect").orElseThrow(),
                                probe.path("expect"),
                                "expect needs status, body or json");
            }
            return new ProbeCheck.Expect(status, body, json);
        });
    }

    private static Optional<ProbeCheck> check(Fields probe, String kind) {
        NodeReader reader = probe.reader();
        YamlNode node = probe.node(kind).orElseThrow();
        String path = probe.path(kind);
        return switch (kind) {
            case "exec" -> CommandBinder.bind(node, path, reader).map(ProbeCheck.Exec::new);
            case "http" ->
                reader.text(node, path)
                        .filter(url -> {
                            String lower = url.strip().toLowerCase(Locale.ROOT);
                            boolean ok = lower.startsWith("http://") || lower.startsWith("https://");
                            if (!ok) {
                                reader.error(
                                        node,
                                        path,
                                        "expected a URL starting with http:// (or https://), got \"" + url + "\"");
                            }
                            return ok;
                        })
                        .map(url -> new ProbeCheck.Http(url.strip()));
            case "tcp" ->
                reader.text(node, path)
                        .filter(address -> {
                            Optional<String> problem = HostPort.problem(address.strip(), 1);
                            problem.ifPresent(p -> reader.error(node, path, p));
                            return problem.isEmpty();
                        })
                        .map(address -> new ProbeCheck.Tcp(address.strip()));
            default -> throw new IllegalArgumentException("not a probe check: " + kind);
        };
    }
}
