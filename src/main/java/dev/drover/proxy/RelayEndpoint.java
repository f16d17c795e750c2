package dev.drover.proxy;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.api.StatusCode;

/**
 * One side of a WebSocket relay (see {@link WebSocketRelay}): what arrives on its session is sent
 * on to the other peer. Public because Jetty calls a listener's methods through a public lookup.
 */
public final class RelayEndpoint implements Session.Listener.AutoDemanding {
    private final Peer self;
    private final Peer other;
    private final Runnable onClose;

    RelayEndpoint(Peer self, Peer other, Runnable onClose) {
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
        ByteBuffer copy = ByteBuffer.allocate(payload.remaining()).put(payload).flip();
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

    /** One end of a relay: its session once open, and what was sent to it before. */
    static final class Peer {
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
}
