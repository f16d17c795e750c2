package dev.drover.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drover.engine.Engine;
import dev.drover.engine.EngineControl;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The TCP listener's defences, with raw sockets: slow clients, big bodies, headers, tokens. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ApiTcpTest {
    private static final String TOKEN = "a-token-of-at-least-twenty-chars";
    private static final Duration HEADER_DEADLINE = Duration.ofSeconds(1);

    @TempDir
    Path dir;

    private TestEngines engines;
    private ApiServer server;
    private int port;

    @BeforeEach
    void serve() throws Exception {
        engines = new TestEngines(dir);
        Engine engine = engines.start("""
                processes:
                  web:
                    command: "exec sleep 300"
                    min_uptime: 0s
                """);
        EngineControl control = new EngineControl(engine, force -> {});
        ApiHandler handler = new ApiHandler(control, new Metrics(), TOKEN);
        handler.setReady(true);
        server = ApiServer.start(
                control,
                handler,
                dir.resolve("api.sock"),
                "127.0.0.1:0",
                new ApiServer.Timeouts(Duration.ofSeconds(30), HEADER_DEADLINE));
        port = server.tcpPort();
    }

    @AfterEach
    void stop() {
        try {
            server.stop();
        } finally {
            engines.close();
        }
    }

    /** One request on a fresh connection; returns the whole answer (the connection is closed after it). */
    private String exchange(String request) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.UTF_8));
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private String get(String path, String token) throws IOException {
        return exchange("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
                + (token == null ? "" : "Authorization: Bearer " + token + "\r\n") + "\r\n");
    }

    @Test
    void aClientThatTricklesItsHeadersIsCutOffWhileOthersAreServed() throws Exception {
        AtomicLong cutAfterMillis = new AtomicLong(-1);
        AtomicInteger trickled = new AtomicInteger();
        Thread slowloris = Thread.ofVirtual().start(() -> {
            long start = System.nanoTime();
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
                OutputStream out = socket.getOutputStream();
                byte[] head = "GET /health HTTP/1.1\r\nHost: localhost\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII);
                out.write(head, 0, 10);
                // A byte every 100 ms: never idle long enough for the idle timeout, never done.
                for (int i = 0; i < 300; i++) {
                    out.write('a');
                    out.flush();
                    trickled.incrementAndGet();
                    Thread.sleep(100); // the slow client's pace, not a wait for the server
                }
            } catch (IOException e) {
                cutAfterMillis.set((System.nanoTime() - start) / 1_000_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        // Meanwhile, other clients are answered.
        AtomicBoolean othersServed = new AtomicBoolean(true);
        while (cutAfterMillis.get() < 0 && slowloris.isAlive()) {
            String answer = get("/alive", null);
            othersServed.compareAndSet(true, answer.startsWith("HTTP/1.1 200"));
        }
        slowloris.join(Duration.ofSeconds(20));
        assertThat(cutAfterMillis.get()).as("the slow client was disconnected").isPositive();
        // Cut after the deadline (1 s) plus at most a sweep and a write that notices, well before the 30 s idle
        // timeout.
        assertThat(cutAfterMillis.get()).isBetween(HEADER_DEADLINE.toMillis() - 100, 10_000L);
        assertThat(trickled.get()).isGreaterThan(5);
        assertThat(othersServed.get()).isTrue();
    }

    /**
     * A 401 sent before the request's body has arrived must not leave the client with a kept-alive
     * connection that the server then closes: either the answer says {@code Connection: close}, or the
     * connection serves the next request. (Java's HttpClient reused such a connection and got "header
     * parser received no bytes".)
     */
    @Test
    void anAnswerSentBeforeTheBodyArrivedSaysWhetherTheConnectionStays() throws Exception {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            String body = "{\"signal\":\"TERM\"}";
            out.write(("POST /api/processes/web/stop HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                            + "Content-Length: " + body.length() + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            var in = socket.getInputStream();
            String head = RawHttp.head(in);
            assertThat(head).startsWith("HTTP/1.1 401");
            RawHttp.skipBody(in, head);
            if (head.toLowerCase(java.util.Locale.ROOT).contains("connection: close")) {
                return; // the client was told; it will not reuse the connection
            }
            out.write((body + "GET /alive HTTP/1.1\r\nHost: localhost\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String second = RawHttp.head(in);
            assertThat(second)
                    .as("the first answer (%s) kept the connection, so it must serve the next request", head)
                    .startsWith("HTTP/1.1 200");
        }
    }

    @Test
    void aConnectionThatSendsNothingIsClosedAfterTheHeaderDeadline() throws Exception {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            socket.setSoTimeout(15_000);
            long start = System.nanoTime();
            int read = socket.getInputStream().read();
            long waited = (System.nanoTime() - start) / 1_000_000;
            assertThat(read).isEqualTo(-1);
            assertThat(waited).isLessThan(10_000);
        }
    }

    @Test
    void anOversizedBodyIs413AndOnlyAfterTheToken() throws Exception {
        String big = "{\"signal\":\"" + "x".repeat(Exchange.MAX_BODY + 10) + "\"}";
        String withToken =
                exchange("POST /api/processes/web/signal HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
                        + "Authorization: Bearer " + TOKEN + "\r\nContent-Type: application/json\r\nContent-Length: "
                        + big.length() + "\r\n\r\n" + big);
        assertThat(withToken).startsWith("HTTP/1.1 413").contains("\"error\"");
        String withoutToken =
                exchange("POST /api/processes/web/signal HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
                        + "Content-Type: application/json\r\nContent-Length: " + big.length() + "\r\n\r\n" + big);
        assertThat(withoutToken).startsWith("HTTP/1.1 401").contains("WWW-Authenticate: Bearer");
    }

    @Test
    void malformedRequestsGetJsonErrors() throws Exception {
        assertThat(get("/api/processes/nope", TOKEN))
                .startsWith("HTTP/1.1 404")
                .contains("\"error\"")
                .contains("known: web");
        assertThat(get("/nope", TOKEN)).startsWith("HTTP/1.1 404").contains("\"error\"");
        // Deny by default: on TCP only the health routes and /metrics are open without the token.
        assertThat(get("/nope", null)).startsWith("HTTP/1.1 401");
        assertThat(get("/%61pi/processes", null)).startsWith("HTTP/1.1 401");
        assertThat(get("/./api/processes", null)).startsWith("HTTP/1.1 401");
        assertThat(exchange("DELETE /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"))
                .startsWith("HTTP/1.1 405")
                .contains("Allow: GET")
                .contains("\"error\"");
        String badJson = "{\"signal\": ";
        assertThat(exchange(
                        "POST /api/processes/web/signal HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nAuthorization: Bearer "
                                + TOKEN + "\r\nContent-Length: " + badJson.length() + "\r\n\r\n" + badJson))
                .startsWith("HTTP/1.1 400")
                .contains("malformed JSON");
        // Headers past Jetty's limit: refused as JSON, and the server goes on.
        String huge = exchange("GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nX-Big: "
                + "y".repeat(64 * 1024) + "\r\n\r\n");
        assertThat(huge).startsWith("HTTP/1.1 431");
        assertThat(get("/health", null)).startsWith("HTTP/1.1 200");
        // Path tricks never reach a file or another route.
        assertThat(get("/api/processes/..%2F..%2Fetc%2Fpasswd", TOKEN)).startsWith("HTTP/1.1 4");
        assertThat(get("/api/processes/%2e%2e", TOKEN)).startsWith("HTTP/1.1 4");
    }

    @Test
    void theUnixSocketNeedsNoToken() throws Exception {
        RawHttp.Answer answer = RawHttp.get(server.socket(), "/api/processes");
        assertThat(answer.status()).isEqualTo(200);
        assertThat(get("/api/processes", null)).startsWith("HTTP/1.1 401");
        assertThat(get("/api/processes", TOKEN)).startsWith("HTTP/1.1 200");
        assertThat(get("/api/processes", TOKEN.toUpperCase())).startsWith("HTTP/1.1 401");
    }

    @Test
    void metricsCountRequestsByRoutePatternNotByPath() throws Exception {
        get("/api/processes/web", TOKEN);
        get("/api/processes/nope", TOKEN);
        String metrics = get("/metrics", null);
        assertThat(metrics)
                .contains("drover_api_requests_total{method=\"GET\",route=\"/api/processes/{id}\",status=\"200\"} 1")
                .contains("drover_api_requests_total{method=\"GET\",route=\"/api/processes/{id}\",status=\"404\"} 1")
                .doesNotContain("route=\"/api/processes/web\"");
    }
}
