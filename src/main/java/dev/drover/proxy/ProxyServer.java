package dev.drover.proxy;

import dev.drover.config.DroverConfig;
import dev.drover.config.HostPort;
import dev.drover.config.ProcessSpec;
import dev.drover.config.ProxySpec;
import dev.drover.config.RouteSpec;
import dev.drover.control.Backends;
import dev.drover.control.RouteInfo;
import dev.drover.control.Traffic;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.eclipse.jetty.alpn.server.ALPNServerConnectionFactory;
import org.eclipse.jetty.http2.server.HTTP2ServerConnectionFactory;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.websocket.client.WebSocketClient;

/**
 * The reverse proxy inside the daemon: a Jetty server of its own on {@code proxy.listen} (and the
 * HTTPS listener, HTTP/2 by ALPN), routing to the ready instances the supervisor reports through
 * {@link Backends}, and the supervisor's {@link Traffic}: what drains and holds instances.
 */
public final class ProxyServer implements Traffic, AutoCloseable {
    /** How often the certificate files are looked at for a renewal. */
    private static final Duration CERT_CHECK = Duration.ofSeconds(2);

    private final Server server;
    private final RoutingProxy proxy;
    private final Backends backends;
    private final Consumer<String> say;
    private final Map<String, Pool> pools = new ConcurrentHashMap<>();
    private final Set<String> held = ConcurrentHashMap.newKeySet();
    private final Object refreshLock = new Object();
    private final ScheduledExecutorService chores = Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().name("drover-proxy-chores").daemon().unstarted(r));
    private final ServerConnector plain;
    private final HttpConfiguration http;
    private final Acme acme;
    private final ProxySpec.TlsSpec tlsSpec;
    private volatile ServerConnector secure;
    private volatile CertificateFiles certificates;
    private final AccessLog accessLog;
    private final AutoCloseable subscription;
    private volatile Map<String, ProcessSpec> processes;

    private ProxyServer(DroverConfig config, Backends backends, PrometheusRegistry registry, Consumer<String> say)
            throws IOException {
        ProxySpec spec = config.proxy();
        this.backends = backends;
        this.say = say;
        this.processes = config.processes();
        this.tlsSpec = spec.tls();
        QueuedThreadPool threads = new QueuedThreadPool(256, 4);
        threads.setName("drover-proxy");
        server = new Server(threads);
        server.setStopTimeout(2_000);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setSendXPoweredBy(false);
        plain = new ServerConnector(server, new HttpConnectionFactory(http));
        HostPort listen = HostPort.parse(spec.listen());
        plain.setHost(listen.host());
        plain.setPort(listen.port());
        plain.setIdleTimeout(spec.timeouts().idle().toMillis());
        server.addConnector(plain);
        this.http = http;
        this.acme = spec.tls() != null && spec.tls().acme() != null
                ? new Acme(spec.tls().acme())
                : null;
        if (spec.tls() != null && (acme == null || !acme.due())) {
            // PEM files, or a certificate ACME obtained before: HTTPS from the start.
            secure = tls(
                    spec.tls(),
                    acme == null ? spec.tls().cert() : acme.certificate(),
                    acme == null ? spec.tls().key() : acme.key());
        }
        accessLog = spec.accessLog() == null ? null : new AccessLog(spec.accessLog());
        ProxyMetrics metrics = new ProxyMetrics(registry, () -> List.copyOf(pools.values()));
        WebSocketClient webSocketClient = new WebSocketClient();
        webSocketClient.setConnectTimeout(spec.timeouts().connect().toMillis());
        webSocketClient.setIdleTimeout(spec.timeouts().idle());
        WebSocketRelay webSockets = new WebSocketRelay(webSocketClient);
        proxy = new RoutingProxy(
                spec,
                router(config),
                backends,
                held,
                acme == null ? token -> null : acme::challenge,
                (request, response, exchange) -> {
                    exchange.route.requests().increment();
                    if (response.getStatus() >= 500) {
                        exchange.route.errors().increment();
                    }
                    exchange.route.latencies().record(System.nanoTime() - exchange.startedNanos);
                    metrics.record(request, response, exchange);
                    if (accessLog != null) {
                        accessLog.record(request, response, exchange);
                    }
                },
                webSockets);
        server.setHandler(proxy);
        webSockets.install(server);
        subscription = backends.onChange(this::refresh);
    }

    /** Starts the proxy on its listeners; the config has a {@code proxy} section. */
    public static ProxyServer start(
            DroverConfig config, Backends backends, PrometheusRegistry registry, Consumer<String> say)
            throws IOException {
        ProxyServer proxy = new ProxyServer(config, backends, registry, say);
        try {
            proxy.server.start();
        } catch (Exception e) {
            proxy.close();
            throw new IOException(
                    "cannot serve the proxy on " + config.proxy().listen()
                            + (config.proxy().tls() == null
                                    ? ""
                                    : " and " + config.proxy().tls().listen()) + ": " + e.getMessage(),
                    e);
        }
        proxy.refresh();
        proxy.chores.scheduleWithFixedDelay(proxy::stopIdle, 1, 1, TimeUnit.SECONDS);
        proxy.chores.scheduleWithFixedDelay(
                () -> {
                    CertificateFiles files = proxy.certificates;
                    if (files != null) {
                        files.reloadIfChanged();
                    }
                },
                CERT_CHECK.toMillis(),
                CERT_CHECK.toMillis(),
                TimeUnit.MILLISECONDS);
        if (proxy.acme != null) {
            // The first certificate once the plain listener answers the challenges; then renewals, looked at daily.
            proxy.chores.execute(proxy::renew);
            proxy.chores.scheduleWithFixedDelay(proxy::renew, 1, 1, TimeUnit.DAYS);
        }
        return proxy;
    }

    /** Obtains or renews the ACME certificate when due; the HTTPS listener starts with the first one. */
    private void renew() {
        ProxySpec.TlsSpec tls = tlsSpec;
        if (!acme.due()) {
            return;
        }
        try {
            say.accept("proxy: ordering a certificate for "
                    + String.join(", ", tls.acme().domains()) + " from "
                    + tls.acme().directory());
            acme.obtain();
            say.accept("proxy: certificate for " + String.join(", ", tls.acme().domains()) + " obtained ("
                    + acme.certificate() + ")");
            if (secure == null) {
                ServerConnector connector = tls(tls, acme.certificate(), acme.key());
                connector.start();
                secure = connector;
                say.accept("proxy: https on " + HostPort.parse(tls.listen()).authority(connector.getLocalPort()));
            } else {
                certificates.reloadIfChanged();
            }
        } catch (Exception | LinkageError e) {
            say.accept("proxy: could not obtain a certificate from "
                    + tls.acme().directory() + " (tried again in a day, or at the next start): " + e.getMessage());
        }
    }

    /** The HTTPS connector (HTTP/2 by ALPN, and HTTP/1.1) with the certificate in these PEM files, added to the server. */
    private ServerConnector tls(ProxySpec.TlsSpec tls, Path cert, Path key) throws IOException {
        SslContextFactory.Server ssl = new SslContextFactory.Server();
        ssl.setKeyStorePassword(new String(PemKeyStore.PASSWORD));
        ssl.setSniRequired(false);
        CertificateFiles files = new CertificateFiles(cert, key, ssl, say);
        files.loadFirst();
        certificates = files;
        HttpConfiguration https = new HttpConfiguration(http);
        SecureRequestCustomizer customizer = new SecureRequestCustomizer();
        customizer.setSniHostCheck(false);
        https.addCustomizer(customizer);
        HTTP2ServerConnectionFactory h2 = new HTTP2ServerConnectionFactory(https);
        ALPNServerConnectionFactory alpn = new ALPNServerConnectionFactory("h2", "http/1.1");
        alpn.setDefaultProtocol("http/1.1");
        ServerConnector connector = new ServerConnector(
                server, new SslConnectionFactory(ssl, alpn.getProtocol()), alpn, h2, new HttpConnectionFactory(https));
        HostPort listen = HostPort.parse(tls.listen());
        connector.setHost(listen.host());
        connector.setPort(listen.port());
        connector.setIdleTimeout(plain.getIdleTimeout());
        server.addConnector(connector);
        return connector;
    }

    /** The plain listener's port (the one picked, for port 0). */
    public int port() {
        return plain.getLocalPort();
    }

    /** The HTTPS listener's port, or -1 without one. */
    public int tlsPort() {
        return secure == null ? -1 : secure.getLocalPort();
    }

    /** A reload: the routes and the processes' settings change at once; listeners stay as they are. */
    public void reconfigure(DroverConfig config) {
        processes = config.processes();
        proxy.router(router(config));
        pools.keySet()
                .retainAll(config.routes().stream()
                        .map(RouteSpec::process)
                        .filter(java.util.Objects::nonNull)
                        .toList());
        refresh();
    }

    private Router router(DroverConfig config) {
        List<Route> routes = new ArrayList<>();
        for (RouteSpec route : config.routes()) {
            routes.add(
                    route.process() == null
                            ? Route.toTarget(route)
                            : Route.toProcess(route, pools.computeIfAbsent(route.process(), Pool::new)));
        }
        return new Router(routes);
    }

    /**
     * The supervisor says which instances serve changed: every pool takes its new rotation. News
     * comes from each instance's own thread; one refresh at a time, each reading what serves inside
     * the lock, so an older view can never overwrite a newer one.
     */
    private void refresh() {
        synchronized (refreshLock) {
            for (Pool pool : pools.values()) {
                pool.refresh(backends.serving(pool.process), held);
            }
        }
    }

    /** Stops an on-demand process that had no request for its idle_stop. */
    private void stopIdle() {
        long now = System.nanoTime();
        for (Pool pool : pools.values()) {
            ProcessSpec spec = processes.get(pool.process);
            Duration idleStop = spec == null ? null : spec.traffic().idleStop();
            if (idleStop != null
                    && !pool.upstreams().isEmpty()
                    && pool.inFlight() == 0
                    && pool.idleNanos(now) >= idleStop.toNanos()) {
                say.accept(pool.process + ": no request for " + dev.drover.config.Durations.format(idleStop)
                        + " (idle_stop): stopping it");
                pool.touch();
                backends.idle(pool.process);
            }
        }
    }

    // ------------------------------------------------------------------ Traffic

    @Override
    public CompletableFuture<Void> drain(String instance, int pid, Duration timeout) {
        return untilIdle(instance, pid, timeout);
    }

    @Override
    public CompletableFuture<Void> hold(String instance, Duration timeout) {
        held.add(instance);
        return untilIdle(instance, 0, timeout);
    }

    @Override
    public void release(String instance) {
        held.remove(instance);
        pools.values().forEach(pool -> pool.wakeWaiters(held));
    }

    @Override
    public boolean held(String instance) {
        return held.contains(instance);
    }

    /** @param pid the child to take out of rotation, or 0 for every child of the instance (held by hand: the held set keeps them out) */
    private CompletableFuture<Void> untilIdle(String instance, int pid, Duration timeout) {
        List<CompletableFuture<Void>> idle = new ArrayList<>();
        for (Pool pool : pools.values()) {
            for (Upstream upstream : pool.find(instance)) {
                if (pid == 0) {
                    idle.add(upstream.idle());
                } else if (upstream.pid == pid) {
                    int port = upstream.port;
                    idle.add(upstream.drain().thenRun(() -> proxy.closeConnections(port)));
                }
            }
        }
        return CompletableFuture.allOf(idle.toArray(CompletableFuture[]::new))
                .completeOnTimeout(null, timeout.toMillis(), TimeUnit.MILLISECONDS)
                .exceptionally(e -> null);
    }

    // ------------------------------------------------------------------ what `drover routes` shows

    public List<RouteInfo> routes() {
        List<RouteInfo> routes = new ArrayList<>();
        for (Route route : proxy.router().routes()) {
            RouteSpec spec = route.spec();
            List<RouteInfo.Instance> instances = new ArrayList<>();
            if (route.pool() != null) {
                long now = System.nanoTime();
                for (Upstream u : route.pool().upstreams()) {
                    instances.add(new RouteInfo.Instance(
                            u.instance,
                            u.port,
                            u.available(now) && !held.contains(u.instance),
                            u.inFlight(),
                            u.requests.sum(),
                            u.errors.sum()));
                }
            }
            routes.add(new RouteInfo(
                    spec.host(),
                    spec.path(),
                    spec.process(),
                    spec.target(),
                    spec.stripPrefix(),
                    spec.balance().yamlName(),
                    route.requests().sum(),
                    route.errors().sum(),
                    route.latencies().quantileMillis(0.5),
                    route.latencies().quantileMillis(0.99),
                    instances));
        }
        return routes;
    }

    @Override
    public void close() {
        chores.shutdownNow();
        try {
            subscription.close();
        } catch (Exception e) {
            // the engine is going away too
        }
        try {
            server.stop();
        } catch (Exception e) {
            // stopping is best effort: the daemon is going away
        }
        if (accessLog != null) {
            accessLog.close();
        }
    }

    /** The PEM certificate and key of the HTTPS listener, reloaded when the files change (a renewal). */
    private static final class CertificateFiles {
        private final Path cert;
        private final Path key;
        private final SslContextFactory.Server ssl;
        private final Consumer<String> say;
        private String seen;

        CertificateFiles(Path cert, Path key, SslContextFactory.Server ssl, Consumer<String> say) {
            this.cert = cert;
            this.key = key;
            this.ssl = ssl;
            this.say = say;
        }

        void loadFirst() throws IOException {
            ssl.setKeyStore(PemKeyStore.load(cert, key));
            seen = stamp();
        }

        void reloadIfChanged() {
            String now;
            try {
                now = stamp();
            } catch (IOException e) {
                return; // in the middle of a replacement: looked at again in a moment
            }
            if (now.equals(seen)) {
                return;
            }
            try {
                var store = PemKeyStore.load(cert, key);
                ssl.reload(factory -> factory.setKeyStore(store));
                seen = now;
                say.accept("proxy: reloaded the certificate " + cert);
            } catch (Exception e) {
                // Half written, or a key that does not match yet: keep serving the old one, try again.
                if (!now.equals(failed)) {
                    say.accept("proxy: cannot load the new certificate " + cert + " (still serving the old one): "
                            + e.getMessage());
                    failed = now;
                }
            }
        }

        private String failed;

        private String stamp() throws IOException {
            return Files.getLastModifiedTime(cert).toMillis() + "/" + Files.size(cert) + "/"
                    + Files.getLastModifiedTime(key).toMillis() + "/" + Files.size(key);
        }
    }
}
