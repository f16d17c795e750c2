package dev.drover.api;

import dev.drover.config.HostPort;
import dev.drover.control.Control;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.unixdomain.server.UnixDomainServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.util.thread.ScheduledExecutorScheduler;
import org.eclipse.jetty.util.thread.VirtualThreadPool;

/**
 * Serves the API on the daemon's Unix socket (mode 0600) and, when configured, on TCP, with a
 * small Jetty: virtual threads, one selector and one acceptor per listener, one timer thread. Clients that hold a
 * connection without finishing a request are cut off: no bytes for the idle timeout, or a request
 * head not complete within the header timeout.
 */
public final class ApiServer {
    private static final int MAX_CONCURRENT_REQUESTS = 64;
    /** TCP connections beyond this wait in the accept queue, so a flood cannot exhaust descriptors. */
    private static final int MAX_TCP_CONNECTIONS = 128;

    /**
     * @param idle how long a connection may send nothing (between requests, or in the middle of one)
     * @param header how long a client may take to send a request's line and headers in full
     */
    public record Timeouts(Duration idle, Duration header) {
        public static final Timeouts DEFAULT = new Timeouts(Duration.ofSeconds(30), Duration.ofSeconds(10));
    }

    private final Server server;
    private final ApiHandler handler;
    private final Handler front;
    private final Path socket;
    private final ServerConnector tcp;

    private ApiServer(Server server, ApiHandler handler, Handler front, Path socket, ServerConnector tcp) {
        this.server = server;
        this.handler = handler;
        this.front = front;
        this.socket = socket;
        this.tcp = tcp;
    }

    /** On the Unix socket only. */
    public static ApiServer start(Control control, ApiHandler handler, Path socket) throws IOException {
        return start(control, handler, socket, null, Timeouts.DEFAULT);
    }

    /**
     * Binds {@code socket} (replacing a stale file left by a daemon that died) and serves {@code
     * handler}, which must serve {@code control}. The socket's directory is the caller's to create,
     * mode 0700.
     */
    /**
     * @param tcpListen {@code host:port} to serve on over TCP as well (the handler then needs a
     *     token), or null; port 0 picks a free port, see {@link #tcpPort()}
     */
    public static ApiServer start(Control control, ApiHandler handler, Path socket, String tcpListen, Timeouts timeouts)
            throws IOException {
        return start(control, handler, handler, socket, tcpListen, timeouts);
    }

    /**
     * The same with {@code front} mounted in front of the API: a wrapper (the dashboard) whose
     * innermost handler is {@code handler}, and which serves what it does not pass on itself.
     */
    public static ApiServer start(
            Control control, ApiHandler handler, Handler front, Path socket, String tcpListen, Timeouts timeouts)
            throws IOException {
        if (front != handler && !(front instanceof Handler.Wrapper wrapper && wrapper.getHandler() == handler)) {
            throw new IllegalArgumentException("the front handler must wrap the API handler");
        }
        if (handler.control() != control) {
            throw new IllegalArgumentException("the handler serves another Control than the one given");
        }
        if (Files.exists(socket, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(socket, LinkOption.NOFOLLOW_LINKS)) {
            Files.delete(socket);
        }
        // The selectors and acceptors run on a few platform threads, requests on virtual threads. A
        // selector on a virtual thread makes the JDK start its I/O poller, a thread that stays
        // blocked in native code and so holds the JVM's exit back by several hundred ms.
        QueuedThreadPool threads = new QueuedThreadPool(6, 1);
        threads.setName("drover-api");
        threads.setVirtualThreadsExecutor(new VirtualThreadPool(MAX_CONCURRENT_REQUESTS));
        Server server = new Server(threads, new ScheduledExecutorScheduler("drover-api-timer", true, 1), null);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setSendXPoweredBy(false);
        SlowRequestGuard guard = new SlowRequestGuard(server.getScheduler(), timeouts.header());
        server.addBean(guard);
        // One acceptor thread per listener, blocking in accept(2): a failed accept (a full descriptor
        // table) is handled there, where a selector would spin on the ready listening socket.
        AcceptFailures unixFailures = new AcceptFailures("the Unix socket");
        UnixDomainServerConnector connector =
                new UnixDomainServerConnector(server, 1, 1, new HttpConnectionFactory(http)) {
                    @Override
                    protected void accept(int acceptorId) throws IOException {
                        super.accept(acceptorId);
                        unixFailures.accepted();
                    }

                    @Override
                    protected boolean handleAcceptFailure(Throwable failure) {
                        return unixFailures.handle(failure, isRunning(), getTransport());
                    }
                };
        connector.setUnixDomainPath(socket);
        connector.setIdleTimeout(timeouts.idle().toMillis());
        connector.addEventListener(guard);
        server.addConnector(connector);
        ServerConnector tcp = null;
        if (tcpListen != null) {
            HostPort address = HostPort.parse(tcpListen);
            AcceptFailures tcpFailures = new AcceptFailures(tcpListen);
            tcp = new ServerConnector(server, 1, 1, new HttpConnectionFactory(http)) {
                @Override
                public void accept(int acceptorId) throws IOException {
                    super.accept(acceptorId);
                    tcpFailures.accepted();
                }

                @Override
                protected boolean handleAcceptFailure(Throwable failure) {
                    return tcpFailures.handle(failure, isRunning(), getTransport());
                }
            };
            tcp.setHost(address.host());
            tcp.setPort(address.port());
            tcp.setIdleTimeout(timeouts.idle().toMillis());
            tcp.addEventListener(guard);
            server.addConnector(tcp);
            server.addBean(new NetworkConnectionLimit(MAX_TCP_CONNECTIONS, tcp));
        }
        server.setHandler(new UnreadBodyGuard(front));
        server.setErrorHandler(new JsonErrorHandler());
        server.setStopTimeout(2_000);
        try {
            server.start();
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
        } catch (Exception e) {
            stopQuietly(server);
            String where = tcpListen == null ? socket.toString() : socket + " and " + tcpListen;
            throw e instanceof IOException io && tcpListen == null
                    ? io
                    : new IOException("cannot serve the API on " + where + ": " + e.getMessage(), e);
        }
        return new ApiServer(server, handler, front, socket, tcp);
    }

    public Path socket() {
        return socket;
    }

    /** The TCP port served (the one picked, for port 0), or -1 without a TCP listener. */
    public int tcpPort() {
        return tcp == null ? -1 : tcp.getLocalPort();
    }

    /** Stops serving: open log streams end, the socket file is removed. */
    public void stop() {
        handler.endStreams(); // first, or the graceful stop waits for them until its timeout
        if (front != handler) {
            stopQuietly(front); // ends the front's own streams the same way
        }
        stopQuietly(server);
    }

    private static void stopQuietly(org.eclipse.jetty.util.component.LifeCycle server) {
        try {
            server.stop();
        } catch (Exception e) {
            // Stopping is best effort: the daemon is going away regardless.
        }
    }
}
