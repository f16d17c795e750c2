package dev.drover.proxy;

import java.net.URI;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiFunction;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.StatusCode;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import org.eclipse.jetty.websocket.server.ServerWebSocketContainer;

/**
 * WebSocket through the proxy, as Jetty supports it: the upstream connection is opened first with
 * Jetty's WebSocket client (so the subprotocol it accepts is known), then the client's upgrade is
 * accepted with Jetty's WebSocket server, and messages are relayed both ways as they come. An open
 * relay counts as a request in flight on its instance, so a drain waits for it.
 */
final class WebSocketRelay {
    private static final java.util.Set<String> NOT_FORWARDED = java.util.Set.of(
            "host",
            "upgrade",
            "connection",
            "sec-websocket-key",
            "sec-websocket-version",
            "sec-websocket-extensions",
            "sec-websocket-protocol",
            "content-length");

    private final WebSocketClient client;
    private ServerWebSocketContainer container;

    WebSocketRelay(WebSocketClient client) {
        this.client = client;
    }

    /** Installs the server side on {@code server} (before it starts). */
    void install(Server server) {
        container = ServerWebSocketContainer.ensure(server);
        server.addBean(client);
    }

    boolean isUpgrade(Request request) {
        String upgrade = request.getHeaders().get(HttpHeader.UPGRADE);
        return upgrade != null && upgrade.equalsIgnoreCase("websocket");
    }

    /** Relays the upgrade to an instance (or the route's target); answers 503/502 itself when it cannot. */
    boolean relay(
            Request request,
            Response response,
            Exchange exchange,
            BiFunction<Exchange, Upstream, CompletableFuture<Upstream>> pick) {
        if (exchange.route.target() != null) {
            URI target = exchange.route.target();
            connect(
                    request,
                    response,
                    exchange,
                    null,
                    URI.create((target.getScheme().equals("https") ? "wss" : "ws") + "://" + target.getRawAuthority()
                            + path(exchange, request)));
            return true;
        }
        pick.apply(exchange, null).whenComplete((upstream, error) -> {
            if (upstream == null) {
                exchange.failure = "no instance";
                response.getHeaders().put(HttpHeader.RETRY_AFTER, "1");
                ErrorReplies.write(
                        request,
                        response,
                        exchange.done,
                        503,
                        "no instance of " + exchange.route.spec().process() + " is ready",
                        exchange.route.spec().process());
                return;
            }
            exchange.upstream = upstream;
            exchange.attempts++;
            upstream.begin();
            connect(
                    request,
                    response,
                    exchange,
                    upstream,
                    URI.create("ws://127.0.0.1:" + upstream.port + path(exchange, request)));
        });
        return true;
    }

    private static String path(Exchange exchange, Request request) {
        String path =
                Router.forwardedPath(exchange.route.spec(), request.getHttpURI().getPath());
        String query = request.getHttpURI().getQuery();
        return query == null ? path : path + "?" + query;
    }

    private void connect(Request request, Response response, Exchange exchange, Upstream upstream, URI uri) {
        ClientUpgradeRequest upgrade = new ClientUpgradeRequest();
        String protocols = request.getHeaders().get("Sec-WebSocket-Protocol");
        if (protocols != null) {
            upgrade.setSubProtocols(java.util.Arrays.stream(protocols.split(","))
                    .map(String::strip)
                    .toList());
        }
        for (HttpField field : request.getHeaders()) {
            if (!NOT_FORWARDED.contains(field.getLowerCaseName())) {
                upgrade.setHeader(field.getName(), field.getValue());
            }
        }
        upgrade.setHeader("X-Forwarded-For", Request.getRemoteAddr(request));
        upgrade.setHeader("X-Request-Id", exchange.requestId);
        RelayEndpoint.Peer toClient = new RelayEndpoint.Peer();
        RelayEndpoint.Peer toUpstream = new RelayEndpoint.Peer();
        try {
            client.connect(new RelayEndpoint(toUpstream, toClient, null), uri, upgrade)
                    .whenComplete((session, error) -> {
                        if (error != null) {
                            exchange.failure = "connect";
                            if (upstream != null) {
                                upstream.quarantine(System.nanoTime());
                                upstream.errors.increment();
                            }
                            ErrorReplies.write(
                                    request,
                                    response,
                                    exchange.done,
                                    502,
                                    (upstream != null ? upstream.toString() : uri.toString())
                                            + " refused the WebSocket: " + error.getMessage(),
                                    exchange.route.spec().process());
                            return;
                        }
                        String accepted = session.getUpgradeResponse().getAcceptedSubProtocol();
                        if (upstream != null) {
                            upstream.streamOpened();
                        }
                        Runnable closed = upstream == null ? () -> {} : upstream::streamClosed;
                        try {
                            boolean upgraded = container.upgrade(
                                    (serverRequest, serverResponse, callback) -> {
                                        if (accepted != null) {
                                            serverResponse.setAcceptedSubProtocol(accepted);
                                        }
                                        return new RelayEndpoint(toClient, toUpstream, closed);
                                    },
                                    request,
                                    response,
                                    exchange.done);
                            if (!upgraded) {
                                session.close(StatusCode.NORMAL, "the client's upgrade was refused", Callback.NOOP);
                                closed.run();
                                ErrorReplies.write(
                                        request,
                                        response,
                                        exchange.done,
                                        400,
                                        "not a WebSocket upgrade the proxy can accept",
                                        exchange.route.spec().process());
                            }
                        } catch (RuntimeException e) {
                            session.close(StatusCode.SERVER_ERROR, "the proxy failed", Callback.NOOP);
                            closed.run();
                            ErrorReplies.write(
                                    request,
                                    response,
                                    exchange.done,
                                    502,
                                    "cannot relay the WebSocket: " + e,
                                    exchange.route.spec().process());
                        }
                    });
        } catch (java.io.IOException | RuntimeException e) {
            ErrorReplies.write(
                    request,
                    response,
                    exchange.done,
                    502,
                    "cannot open a WebSocket to " + uri + ": " + e.getMessage(),
                    exchange.route.spec().process());
        }
    }
}
