package dev.drover.api;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.server.internal.HttpConnection;
import org.eclipse.jetty.util.component.AbstractLifeCycle;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * Closes connections whose client takes longer than a deadline to send a request's line and
 * headers. Jetty's idle timeout alone does not stop a client that trickles a byte every few
 * seconds (slowloris): each byte resets it. Every second while any connection is open, this looks
 * at each connection's parser; one that has been inside the same request head for longer than the
 * deadline is closed. With no connection open it does not wake at all.
 */
final class SlowRequestGuard extends AbstractLifeCycle implements Connection.Listener {
    private record Watch(long request, long sinceNanos) {}

    private final Scheduler scheduler;
    private final long deadlineNanos;
    private final long sweepMillis;
    private final Map<HttpConnection, Watch> open = new ConcurrentHashMap<>();
    private static final Watch IDLE = new Watch(-1, 0);
    private volatile Scheduler.Task next;
    /** A sweep is scheduled; set by the first connection to open, cleared when a sweep finds none. */
    private final java.util.concurrent.atomic.AtomicBoolean sweeping = new java.util.concurrent.atomic.AtomicBoolean();

    SlowRequestGuard(Scheduler scheduler, Duration deadline) {
        this.scheduler = scheduler;
        this.deadlineNanos = deadline.toNanos();
        this.sweepMillis = Math.max(50, Math.min(1000, deadline.toMillis() / 4));
    }

    @Override
    protected void doStart() {
        sweepWhileOpen();
    }

    /** Schedules the next sweep unless one is scheduled or no connection is open. */
    private void sweepWhileOpen() {
        if (isRunning() && !open.isEmpty() && sweeping.compareAndSet(false, true)) {
            next = scheduler.schedule(this::sweep, sweepMillis, TimeUnit.MILLISECONDS);
        }
    }

    @Override
    protected void doStop() {
        Scheduler.Task task = next;
        if (task != null) {
            task.cancel();
        }
        open.clear();
    }

    @Override
    public void onOpened(Connection connection) {
        if (connection instanceof HttpConnection http) {
            // The deadline of the first request counts from the moment the connection opened.
            open.put(http, new Watch(http.getMessagesIn(), System.nanoTime()));
            sweepWhileOpen();
        }
    }

    @Override
    public void onClosed(Connection connection) {
        open.remove(connection);
    }

    private void sweep() {
        long now = System.nanoTime();
        open.replaceAll((connection, watch) -> {
            var parser = connection.getParser();
            // Between requests a kept-alive connection rests at START: the idle timeout covers that. A new
            // connection that has sent nothing yet is already waited for.
            boolean inHead = parser.inHeaderState() && (!parser.isStart() || connection.getMessagesIn() == 0);
            if (!inHead) {
                return IDLE;
            }
            long request = connection.getMessagesIn();
            if (watch == IDLE || watch.request() != request) {
                return new Watch(request, now);
            }
            if (now - watch.sinceNanos() > deadlineNanos) {
                connection
                        .getEndPoint()
                        .close(new java.util.concurrent.TimeoutException("request head not received in time"));
            }
            return watch;
        });
        sweeping.set(false);
        sweepWhileOpen(); // also when a connection opened during this sweep
    }
}
