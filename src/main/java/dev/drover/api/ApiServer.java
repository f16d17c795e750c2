package dev.drover.api;

import dev.drover.control.Control;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.unixdomain.server.UnixDomainServerConnector;
import org.eclipse.jetty.util.thread.ScheduledExecutorScheduler;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.util.thread.VirtualThreadPool;

/**
 * Serves the API on the daemon's Unix socket (mode 0600) with a small Jetty: virtual threads, one
 * selector that also accepts, one timer thread.
 */
public final class ApiServer {
    private static final long IDLE_TIMEOUT_MS = 30_000;
    private static final int MAX_CONCURRENT_REQUESTS = 64;

    private final Server server;
    private final ApiHandler handler;
    private final Path socket;

    private ApiServer(Server server, ApiHandler handler, Path socket) {
        this.server = server;
        this.handler = handler;
        this.socket = socket;
    }

    /**
     * Binds {@code socket} (replacing a stale file left by a daemon that died) and serves {@code
     * handler}, which must serve {@code control}. The socket's directory is the caller's to create,
     * mode 0700.
     */
    public static ApiServer start(Control control, ApiHandler handler, Path socket) throws IOException {
        if (handler.control() != control) {
            throw new IllegalArgumentException("the handler serves another Control than the one given");
        }
        if (Files.exists(socket, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(socket, LinkOption.NOFOLLOW_LINKS)) {
            Files.delete(socket);
        }
        // The selector and acceptor run on a few platform threads, requests on virtual threads. A
        // selector on a virtual thread makes the JDK start its I/O poller, a thread that stays
        // blocked in native code and so holds the JVM's exit back by several hundred ms.
        QueuedThreadPool threads = new QueuedThreadPool(4, 1);
        threads.setName("drover-api");
        threads.setVirtualThreadsExecutor(new VirtualThreadPool(MAX_CONCURRENT_REQUESTS));
        Server server = new Server(threads, new ScheduledExecutorScheduler("drover-api-timer", true, 1), null);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setSendXPoweredBy(false);
        UnixDomainServerConnector connector = new UnixDomainServerConnector(server, 0, 1, new HttpConnectionFactory(http));
        connector.setUnixDomainPath(socket);
        connector.setIdleTimeout(IDLE_TIMEOUT_MS);
        server.addConnector(connector);
        server.setHandler(handler);
        server.setErrorHandler(new JsonErrorHandler());
        server.setStopTimeout(2_000);
        try {
            server.start();
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
        } catch (Exception e) {
            stopQuietly(server);
            throw e instanceof IOException io ? io : new IOException("cannot serve the API on " + socket + ": " + e.getMessage(), e);
        }
        return new ApiServer(server, handler, socket);
    }

    public Path socket() {
        return socket;
    }

    /** Stops serving: open log streams end, the socket file is removed. */
    public void stop() {
        handler.endStreams(); // first, or the graceful stop waits for them until its timeout
        stopQuietly(server);
    }

    private static void stopQuietly(Server server) {
        try {
            server.stop();
        } catch (Exception e) {
            // Stopping is best effort: the daemon is going away regardless.
        }
    }
}
