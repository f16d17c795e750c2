package dev.drover.proxy;

import java.net.URI;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
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
        Peer toClient = new Peer();
        Peer toUpstream = new Peer();
        try {
            client.connect(new Side(toUpstream, toClient, null), uri, upgrade).whenComplete((session, error) -> {
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
                            (upstream != null ? upstream.toString() : uri.toString()) + " refused the WebSocket: "
                                    + error.getMessage(),
                            exchange.route.spec().process());
                    return;
                }
                String accepted = session.getUpgradeResponse().getAcceptedSubProtocol();
                if (upstream != null) {
                    upstream.streamOpened();
                }
                Runnable closed = upstream == null ? () -> {} : upstream::streamClosed;
                container.upgrade(
                        (serverRequest, serverResponse, callback) -> {
                            if (accepted != null) {
                                serverResponse.setAcceptedSubProtocol(accepted);
                            }
                            return new Side(toClient, toUpstream, closed);
                        },
                        request,
                        response,
                        exchange.done);
            });
        } catch (java.io.IOException e) {
            ErrorReplies.write(
                    request,
                    response,
                    exchange.done,
                    502,
                    "cannot open a WebSocket to " + uri + ": " + e.getMessage(),
                    exchange.route.spec().process());
        }
    }

    /** One end of a relay: its session once open, and what was sent to it before. */
    private static final class Peer {
        private Session session;
        private final List<Consumer<Session>> pending = new ArrayList<>();
        private boolean closed;

        synchronized void opened(Session opened) {
            session = opened;
            pending.forEach(action -> action.accept(opened));
            pending.clear();
        }

        void send(Consumer<Session> action) {
            Session now;
            synchronized (this) {
                if (closed) {
                    return;
                }
                if (session == null) {
                    pending.add(action);
                    return;
                }
                now = session;
            }
            action.accept(now);
        }

        void close(int code, String reason) {
            Session now;
            synchronized (this) {
                if (closed) {
                    return;
                }
                closed = true;
                now = session;
            }
            if (now != null && now.isOpen()) {
                now.close(code, reason, Callback.NOOP);
            }
        }
    }

    /** The listener of one session: what arrives is sent on to the other peer. */
    private static final class Side implements Session.Listener.AutoDemanding {
        private final Peer self;
        private final Peer other;
        private final Runnable onClose;

        Side(Peer self, Peer other, Runnable onClose) {
            this.self = self;
            this.other = other;
            this.onClose = onClose;
        }

        @Override
        public void onWebSocketOpen(Session session) {
            self.opened(session);
        }

        @Override
        public void onWebSocketText(String message) {
            other.send(s -> s.sendText(message, Callback.NOOP));
        }

        @Override
        public void onWebSocketBinary(ByteBuffer payload, Callback callback) {
            ByteBuffer copy =
                    ByteBuffer.allocate(payload.remaining()).put(payload).flip();
            callback.succeed();
            other.send(s -> s.sendBinary(copy, Callback.NOOP));
        }

        @Override
        public void onWebSocketClose(int statusCode, String reason) {
            other.close(statusCode == StatusCode.NO_CODE ? StatusCode.NORMAL : statusCode, reason);
            if (onClose != null) {
                onClose.run();
            }
        }

        @Override
        public void onWebSocketError(Throwable cause) {
            other.close(StatusCode.SERVER_ERROR, "the other side failed: " + cause.getMessage());
        }
    }
}
