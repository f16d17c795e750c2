package dev.drover.config;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/** Reads the {@code proxy} section and the {@code routes} list. */
final class ProxyBinder {

    static final List<String> PROXY_KEYS =
            List.of("listen", "tls", "timeouts", "access_log", "max_body", "queue_timeout");
    static final List<String> ROUTE_KEYS = List.of("host", "path", "process", "target", "strip_prefix", "balance");
    private static final List<String> TLS_KEYS = List.of("listen", "cert", "key", "acme");
    private static final List<String> ACME_KEYS = List.of("directory", "email", "domains", "ca_cert", "storage");
    private static final List<String> TIMEOUT_KEYS = List.of("connect", "idle", "request");
    private static final List<String> ACCESS_LOG_KEYS = List.of("path");

    private final NodeReader reader;
    private final Path baseDir;
    private final Path stateDir;

    ProxyBinder(NodeReader reader, Path baseDir, Path stateDir) {
        this.reader = reader;
        this.baseDir = baseDir;
        this.stateDir = stateDir;
    }

    Optional<ProxySpec> proxy(Fields proxy, Fields top) {
        Optional<String> listen = proxy.text("listen").map(String::strip);
        if (proxy.node("listen").isEmpty()) {
            reader.errors()
                    .add(
                            top.keyPosition("proxy").orElseThrow(),
                            proxy.path("listen"),
                            "missing listen: the proxy needs an address like 127.0.0.1:8080");
        }
        ProxySpec.TlsSpec tls =
                proxy.fields("tls", TLS_KEYS).flatMap(t -> tls(t, proxy)).orElse(null);
        ProxySpec.Timeouts timeouts = proxy.fields("timeouts", TIMEOUT_KEYS)
                .map(ProxyBinder::timeouts)
                .orElse(Defaults.PROXY_TIMEOUTS);
        Path accessLog = proxy.fields("access_log", ACCESS_LOG_KEYS)
                .flatMap(a -> a.text("path").flatMap(p -> path(p, a, "path")))
                .orElse(null);
        long maxBody = proxy.positiveSize("max_body").orElse(Defaults.PROXY_MAX_BODY);
        Duration queueTimeout = proxy.duration("queue_timeout").orElse(Defaults.QUEUE_TIMEOUT);
        return listen.filter(address -> ConfigBinder.checkAddress(address, proxy, "listen"))
                .map(address -> new ProxySpec(address, tls, timeouts, accessLog, maxBody, queueTimeout));
    }

    private Optional<ProxySpec.TlsSpec> tls(Fields tls, Fields proxy) {
        Optional<String> listen =
                tls.text("listen").map(String::strip).filter(a -> ConfigBinder.checkAddress(a, tls, "listen"));
        if (tls.node("listen").isEmpty()) {
            reader.errors()
                    .add(
                            proxy.keyPosition("tls").orElseThrow(),
                            tls.path("listen"),
                            "missing listen: the HTTPS listener needs an address like 127.0.0.1:8443");
        }
        Path cert = tls.text("cert").flatMap(c -> path(c, tls, "cert")).orElse(null);
        Path key = tls.text("key").flatMap(k -> path(k, tls, "key")).orElse(null);
        ProxySpec.AcmeSpec acme =
                tls.fields("acme", ACME_KEYS).flatMap(this::acme).orElse(null);
        boolean files = tls.node("cert").isPresent() || tls.node("key").isPresent();
        if (files && tls.node("acme").isPresent()) {
            reader.errors()
                    .add(
                            proxy.keyPosition("tls").orElseThrow(),
                            tls.path("acme"),
                            "give either cert and key, or acme, not both");
        } else if (!files && tls.node("acme").isEmpty()) {
            reader.errors()
                    .add(
                            proxy.keyPosition("tls").orElseThrow(),
                            tls.path("cert"),
                            "missing cert and key (PEM files) or acme: the HTTPS listener needs a certificate");
        } else if (files
                && (cert == null || key == null)
                && (tls.node("cert").isEmpty() || tls.node("key").isEmpty())) {
            String missing = tls.node("cert").isEmpty() ? "cert" : "key";
            reader.errors()
                    .add(
                            proxy.keyPosition("tls").orElseThrow(),
                            tls.path(missing),
                            "missing " + missing + ": give both cert and key");
        }
        for (String file : List.of("cert", "key")) {
            Path p = file.equals("cert") ? cert : key;
            if (p != null && !java.nio.file.Files.isReadable(p)) {
                reader.error(tls.node(file).orElseThrow(), tls.path(file), "cannot read " + p);
            }
        }
        return listen.map(l -> new ProxySpec.TlsSpec(l, cert, key, acme));
    }

    private Optional<ProxySpec.AcmeSpec> acme(Fields acme) {
        Optional<String> directory = acme.text("directory").map(String::strip).filter(url -> {
            boolean ok = url.toLowerCase(Locale.ROOT).startsWith("https://")
                    || url.toLowerCase(Locale.ROOT).startsWith("http://");
            if (!ok) {
                reader.error(
                        acme.node("directory").orElseThrow(),
                        acme.path("directory"),
                        "expected the ACME directory's URL, got \"" + url + "\"");
            }
            return ok;
        });
        if (acme.node("directory").isEmpty()) {
            reader.errors()
                    .add(
                            acme.keyPosition("domains").orElse(YamlNode.Position.UNKNOWN),
                            acme.path("directory"),
                            "missing directory: the ACME server's directory URL");
        }
        List<String> domains = new ArrayList<>();
        acme.node("domains").flatMap(n -> reader.list(n, acme.path("domains"))).ifPresent(items -> {
            for (int i = 0; i < items.size(); i++) {
                reader.text(items.get(i), KeyPaths.index(acme.path("domains"), i))
                        .map(String::strip)
                        .ifPresent(domains::add);
            }
        });
        if (domains.isEmpty()) {
            reader.errors()
                    .add(
                            acme.keyPosition("directory").orElse(YamlNode.Position.UNKNOWN),
                            acme.path("domains"),
                            "missing domains: the names the certificate is for");
        }
        Path caCert =
                acme.text("ca_cert").flatMap(c -> path(c, acme, "ca_cert")).orElse(null);
        Path storage =
                acme.text("storage").flatMap(s -> path(s, acme, "storage")).orElse(stateDir.resolve("acme"));
        return directory.map(d -> new ProxySpec.AcmeSpec(
                d, acme.text("email").map(String::strip).orElse(null), domains, caCert, storage));
    }

    private static ProxySpec.Timeouts timeouts(Fields t) {
        ProxySpec.Timeouts d = Defaults.PROXY_TIMEOUTS;
        return new ProxySpec.Timeouts(
                t.positiveDuration("connect").orElse(d.connect()),
                t.positiveDuration("idle").orElse(d.idle()),
                t.positiveDuration("request").orElse(d.request()));
    }

    private Optional<Path> path(String text, Fields f, String key) {
        try {
            return Optional.of(baseDir.resolve(text.strip()).normalize());
        } catch (InvalidPathException e) {
            reader.error(f.node(key).orElseThrow(), f.path(key), "invalid path \"" + text + "\": " + e.getReason());
            return Optional.empty();
        }
    }

    List<RouteSpec> routes(Fields f) {
        List<RouteSpec> routes = new ArrayList<>();
        List<YamlNode> items =
                f.node("routes").flatMap(n -> reader.list(n, "routes")).orElse(List.of());
        for (int i = 0; i < items.size(); i++) {
            String path = KeyPaths.index("routes", i);
            YamlNode item = items.get(i);
            reader.fields(item, path, ROUTE_KEYS)
                    .flatMap(route -> route(route, item, path))
                    .ifPresent(routes::add);
        }
        return routes;
    }

    private Optional<RouteSpec> route(Fields route, YamlNode item, String path) {
        String host =
                route.text("host").map(String::strip).filter(h -> !h.isEmpty()).orElse(null);
        if (host != null
                && (host.contains("/")
                        || host.contains(" ")
                        || (host.contains("*") && !host.startsWith("*."))
                        || host.indexOf('*') != host.lastIndexOf('*'))) {
            reader.error(
                    route.node("host").orElseThrow(),
                    route.path("host"),
                    "expected a host name like example.test or a wildcard like *.example.test, got \"" + host + "\"");
        }
        String prefix = route.text("path").map(String::strip).orElse(Defaults.ROUTE_PATH);
        if (!prefix.startsWith("/")) {
            reader.error(
                    route.node("path").orElseThrow(),
                    route.path("path"),
                    "path must start with \"/\", got \"" + prefix + "\"");
        }
        Optional<String> process = route.text("process").map(String::strip).filter(p -> !p.isEmpty());
        Optional<String> target = route.text("target").map(String::strip).filter(t -> !t.isEmpty());
        boolean stripPrefix = route.bool("strip_prefix").orElse(false);
        RouteSpec.Balance balance = route.node("balance")
                .flatMap(n -> reader.text(n, route.path("balance")).flatMap(text -> {
                    Optional<RouteSpec.Balance> b = Arrays.stream(RouteSpec.Balance.values())
                            .filter(v -> v.yamlName().equals(text.strip()))
                            .findFirst();
                    if (b.isEmpty()) {
                        reader.error(
                                n,
                                route.path("balance"),
                                "expected one of "
                                        + Arrays.stream(RouteSpec.Balance.values())
                                                .map(RouteSpec.Balance::yamlName)
                                                .collect(Collectors.joining(", "))
                                        + ", got \"" + text + "\"");
                    }
                    return b;
                }))
                .orElse(RouteSpec.Balance.ROUND_ROBIN);
        if (process.isPresent() == target.isPresent()) {
            reader.error(
                    route.node(process.isPresent() ? "target" : "process").orElse(item),
                    route.path(process.isPresent() ? "target" : "process"),
                    process.isPresent()
                            ? "a route names a process or a target, not both"
                            : "missing process (or target): name the process this route sends traffic to");
            return Optional.empty();
        }
        if (target.isPresent() && !validTarget(target.get())) {
            reader.error(
                    route.node("target").orElseThrow(),
                    route.path("target"),
                    "expected a URL like http://127.0.0.1:9000, got \"" + target.get() + "\"");
            return Optional.empty();
        }
        return Optional.of(
                new RouteSpec(host, prefix, process.orElse(null), target.orElse(null), stripPrefix, balance));
    }

    private static boolean validTarget(String target) {
        try {
            java.net.URI uri = java.net.URI.create(target);
            return ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
                    && uri.getHost() != null
                    && uri.getQuery() == null;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
