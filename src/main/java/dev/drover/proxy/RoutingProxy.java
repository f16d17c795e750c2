package dev.drover.proxy;

import dev.drover.config.ProxySpec;
import dev.drover.config.RouteSpec;
import dev.drover.control.Backends;
import java.net.ConnectException;
import java.net.URI;
import java.nio.channels.UnresolvedAddressException;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.transport.HttpClientTransportOverHTTP;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.proxy.ProxyHandler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The reverse proxy on Jetty's {@link ProxyHandler}: picks the route, waits for a ready instance
 * when none is (up to {@code queue_timeout}), sends the request there with the forwarding headers,
 * retries an idempotent request on another instance when a connection is refused, and answers in
 * JSON (or HTML for a browser) what it cannot pass on: 404, 413, 502, 503, 504.
 */
final class RoutingProxy extends ProxyHandler {
    private final ProxySpec spec;
    private final Backends backends;
    private final Set<String> held;
    private final ProxyObserver observer;
    private final WebSocketRelay webSockets;
    private volatile Router router;
    /** The answers to ACME HTTP-01 challenges being validated now, by token. */
    private final java.util.function.UnaryOperator<String> challenges;

    /** Told of every exchange that ends: metrics and the access log. */
    interface ProxyObserver {
        void completed(Request request, Response response, Exchange exchange);
    }

    RoutingProxy(
            ProxySpec spec,
            Router router,
            Backends backends,
            Set<String> held,
            java.util.function.UnaryOperator<String> challenges,
            ProxyObserver observer,
            WebSocketRelay webSockets) {
        this.spec = spec;
        this.challenges = challenges;
        this.router = router;
        this.backends = backends;
        this.held = held;
        this.observer = observer;
        this.webSockets = webSockets;
    }

    /**
     * Closes the kept-alive connections to an upstream that is stopping: a server that waits for
     * its open connections on SIGTERM would otherwise sit out its stop_timeout.
     */
    void closeConnections(int port) {
        HttpClient client = getHttpClient();
        if (client == null) {
            return;
        }
        for (org.eclipse.jetty.client.Destination destination : client.getDestinations()) {
            if (destination.getOrigin().getAddress().getPort() == port
                    && "127.0.0.1".equals(destination.getOrigin().getAddress().getHost())) {
                client.removeDestination(destination);
                org.eclipse.jetty.util.component.LifeCycle.stop(destination);
            }
        }
    }

    Router router() {
        return router;
    }

    void router(Router next) {
        this.router = next;
    }

    @Override
    protected HttpClient newHttpClient() {
        ClientConnector connector = new ClientConnector();
        QueuedThreadPool threads = new QueuedThreadPool(64, 2);
        threads.setName("drover-proxy-client");
        connector.setExecutor(threads);
        connector.setConnectTimeout(spec.timeouts().connect());
        connector.setIdleTimeout(spec.timeouts().idle());
        HttpClient client = new HttpClient(new HttpClientTransportOverHTTP(connector));
        client.setMaxConnectionsPerDestination(1024);
        client.setMaxRequestsQueuedPerDestination(8192);
        client.setIdleTimeout(spec.timeouts().idle().toMillis());
        client.setConnectTimeout(spec.timeouts().connect().toMillis());
        return client;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        String host = Request.getServerName(request);
        String path = request.getHttpURI().getPath();
        if (path != null && path.startsWith(Acme.CHALLENGE_PATH)) {
            String answer = challenges.apply(path.substring(Acme.CHALLENGE_PATH.length()));
            if (answer != null) {
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain");
                response.write(
                        true,
                        java.nio.ByteBuffer.wrap(answer.getBytes(java.nio.charset.StandardCharsets.US_ASCII)),
                        callback);
                return true;
            }
        }
        Route route = router.match(host, path == null ? "/" : path);
        String requestId = request.getHeaders().get("X-Request-Id");
        if (requestId == null || requestId.isBlank() || requestId.length() > 200) {
            requestId = UUID.randomUUID().toString();
        }
        response.getHeaders().put("X-Request-Id", requestId);
        if (route == null) {
            ErrorReplies.write(
                    request, response, callback, 404, "no route for " + host + (path == null ? "/" : path), null);
            return true;
        }
        Exchange tracked = new Exchange(
                route,
                requestId,
                Callback.from(
                        () -> finish(request, response, callback, exchangeOf(request), null),
                        failure -> finish(request, response, callback, exchangeOf(request), failure)));
        request.setAttribute(Exchange.ATTRIBUTE, tracked);
        long length = request.getLength();
        if (length > spec.maxBody()) {
            tracked.failure = "too large";
            ErrorReplies.write(
                    request,
                    response,
                    tracked.done,
                    413,
                    "the request body is " + length + " bytes; the proxy takes at most " + spec.maxBody()
                            + " (proxy.max_body)",
                    route.spec().process());
            return true;
        }
        if (webSockets.isUpgrade(request)) {
            return webSockets.relay(request, response, tracked, this::pickOrWait);
        }
        if (route.target() != null) {
            super.handle(request, response, tracked.done);
            return true;
        }
        dispatch(request, response, tracked, null);
        return true;
    }

    private static Exchange exchangeOf(Request request) {
        return (Exchange) request.getAttribute(Exchange.ATTRIBUTE);
    }

    /** Sends the exchange to an instance of its route's process, waiting for one when none is ready. */
    private void dispatch(Request request, Response response, Exchange exchange, Upstream except) {
        pickOrWait(exchange, except).whenComplete((upstream, error) -> {
            if (upstream == null) {
                exchange.failure = "no instance";
                RouteSpec route = exchange.route.spec();
                response.getHeaders().put(HttpHeader.RETRY_AFTER, "1");
                ErrorReplies.write(
                        request,
                        response,
                        exchange.done,
                        503,
                        "no instance of " + route.process() + " became ready within "
                                + dev.drover.config.Durations.format(spec.queueTimeout()) + " (proxy.queue_timeout)",
                        route.process());
                return;
            }
            exchange.upstream = upstream;
            exchange.attempts++;
            upstream.begin();
            super.handle(request, response, exchange.done);
        });
    }

    /** An instance now, or once one is ready (an on-demand process is started), or null after queue_timeout. */
    CompletableFuture<Upstream> pickOrWait(Exchange exchange, Upstream except) {
        Pool pool = exchange.route.pool();
        RouteSpec route = exchange.route.spec();
        pool.touch();
        Upstream now = pool.pick(route.balance(), held, except);
        if (now != null) {
            return CompletableFuture.completedFuture(now);
        }
        backends.demand(route.process()); // an on-demand process starts; any other: a no-op unless stopped by hand
        CompletableFuture<Upstream> waiter = pool.await(route.balance(), held);
        return waiter.completeOnTimeout(null, spec.queueTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .whenComplete((u, e) -> {
                    if (u == null) {
                        pool.forget(waiter);
                    }
                });
    }

    @Override
    protected HttpURI rewriteHttpURI(Request clientToProxyRequest) {
        Exchange exchange = exchangeOf(clientToProxyRequest);
        HttpURI uri = clientToProxyRequest.getHttpURI();
        String path = Router.forwardedPath(exchange.route.spec(), uri.getPath() == null ? "/" : uri.getPath());
        if (exchange.route.target() != null) {
            URI target = exchange.route.target();
            String base = target.getRawPath() == null || target.getRawPath().equals("/")
                    ? ""
                    : target.getRawPath().replaceAll("/$", "");
            return HttpURI.build()
                    .scheme(target.getScheme())
                    .host(target.getHost())
                    .port(
                            target.getPort() > 0
                                    ? target.getPort()
                                    : target.getScheme().equals("https") ? 443 : 80)
                    .path(base + path)
                    .query(uri.getQuery());
        }
        return HttpURI.build()
                .scheme("http")
                .host("127.0.0.1")
                .port(exchange.upstream.port)
                .path(path)
                .query(uri.getQuery());
    }

    @Override
    protected void addProxyHeaders(
            Request clientToProxyRequest, org.eclipse.jetty.client.Request proxyToServerRequest) {
        super.addProxyHeaders(clientToProxyRequest, proxyToServerRequest);
        Exchange exchange = exchangeOf(clientToProxyRequest);
        String remote = Request.getRemoteAddr(clientToProxyRequest);
        String forwardedFor = clientToProxyRequest.getHeaders().get("X-Forwarded-For");
        String proto = clientToProxyRequest.isSecure() ? "https" : "http";
        String host = clientToProxyRequest.getHeaders().get(HttpHeader.HOST);
        proxyToServerRequest.headers(headers -> {
            headers.put("X-Forwarded-For", forwardedFor == null ? remote : forwardedFor + ", " + remote);
            headers.put("X-Forwarded-Proto", proto);
            if (host != null) {
                headers.put("X-Forwarded-Host", host);
            }
            headers.put("X-Request-Id", exchange.requestId);
        });
        proxyToServerRequest.timeout(spec.timeouts().request().toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    protected HttpField filterServerToProxyResponseField(HttpField field) {
        // The proxy's own X-Request-Id is on the response already.
        return "X-Request-Id".equalsIgnoreCase(field.getName()) ? null : field;
    }

    @Override
    protected void onServerToProxyResponseFailure(
            Request clientToProxyRequest,
            org.eclipse.jetty.client.Request proxyToServerRequest,
            org.eclipse.jetty.client.Response serverToProxyResponse,
            Response proxyToClientResponse,
            Callback proxyToClientCallback,
            Throwable failure) {
        Exchange exchange = exchangeOf(clientToProxyRequest);
        Upstream upstream = exchange.upstream;
        boolean refused =
                causedBy(failure, ConnectException.class) || causedBy(failure, UnresolvedAddressException.class);
        if (upstream != null && refused) {
            upstream.quarantine(System.nanoTime());
            upstream.errors.increment();
            if (retriable(clientToProxyRequest, proxyToClientResponse)
                    && exchange.attempts < 1 + exchange.route.pool().upstreams().size()) {
                upstream.end();
                exchange.upstream = null;
                dispatch(clientToProxyRequest, proxyToClientResponse, exchange, upstream);
                return;
            }
        } else if (upstream != null) {
            upstream.errors.increment();
        }
        String process = exchange.route.spec().process();
        String who = upstream != null
                ? upstream.toString()
                : exchange.route.target() != null ? exchange.route.target().toString() : process;
        if (causedBy(failure, TimeoutException.class)) {
            exchange.failure = "timeout";
            ErrorReplies.write(
                    clientToProxyRequest,
                    proxyToClientResponse,
                    proxyToClientCallback,
                    504,
                    who + " did not answer within "
                            + dev.drover.config.Durations.format(spec.timeouts().request())
                            + " (proxy.timeouts.request)",
                    process);
        } else {
            exchange.failure = refused ? "connect" : "upstream";
            String why = refused ? "refused the connection" : "failed: " + rootMessage(failure);
            ErrorReplies.write(
                    clientToProxyRequest, proxyToClientResponse, proxyToClientCallback, 502, who + " " + why, process);
        }
    }

    /** Without a body, an idempotent request can be sent again; not once the answer has begun. */
    private static boolean retriable(Request request, Response response) {
        String method = request.getMethod();
        boolean idempotent = HttpMethod.GET.is(method)
                || HttpMethod.HEAD.is(method)
                || HttpMethod.OPTIONS.is(method)
                || HttpMethod.PUT.is(method)
                || HttpMethod.DELETE.is(method);
        boolean noBody = request.getLength() <= 0 && request.getHeaders().get(HttpHeader.TRANSFER_ENCODING) == null;
        return idempotent && noBody && !response.isCommitted();
    }

    private void finish(Request request, Response response, Callback callback, Exchange exchange, Throwable failure) {
        Upstream upstream = exchange.upstream;
        if (upstream != null) {
            upstream.end();
        }
        if (exchange.route.pool() != null) {
            exchange.route.pool().touch();
        }
        observer.completed(request, response, exchange);
        if (failure == null) {
            callback.succeeded();
        } else {
            callback.failed(failure);
        }
    }

    static boolean causedBy(Throwable failure, Class<? extends Throwable> type) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    private static String rootMessage(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }
}
