package dev.drover.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.drover.Waits;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A daemon with a reverse proxy in front of real backends (backend.py), for the proxy's
 * integration tests: writes the config, starts it with `up -d`, finds the proxy's port in the
 * daemon's log, and stops everything at the end.
 */
final class ProxyStack implements AutoCloseable {
    private static final Pattern LISTENING =
            Pattern.compile("proxy listening on http://127\\.0\\.0\\.1:(\\d+)(?: and https://127\\.0\\.0\\.1:(\\d+))?");
    static final ObjectMapper JSON = new ObjectMapper();

    final Path dir;
    final HttpClient client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    int port;
    int tlsPort;
    private boolean up;
    /** The daemon `up -d` started, by PID and start time, to stop should `down` not manage it. */
    private dev.drover.launch.ProcessRef daemon;

    ProxyStack(Path dir) throws IOException {
        this.dir = dir;
        try (InputStream backend = ProxyStack.class.getResourceAsStream("backend.py")) {
            Files.write(dir.resolve("backend.py"), backend.readAllBytes());
        }
    }

    /** Writes the config and starts it; the proxy listens on a port of its choosing. */
    ProxyStack start(String yaml) throws Exception {
        DroverProcess started = startAnyway(yaml, Duration.ofSeconds(60));
        assertThat(started.exitCode()).as(started.text() + "\n" + log()).isZero();
        return this;
    }

    /**
     * Starts it even when not everything becomes ready within {@code timeout} (`up -d` then says
     * so and exits 1; the daemon runs on).
     */
    DroverProcess startAnyway(String yaml, Duration timeout) throws Exception {
        Files.writeString(dir.resolve("drover.yaml"), yaml);
        DroverProcess started = DroverProcess.run(dir, "up", "-d", "--timeout", timeout.toSeconds() + "s");
        up = true;
        try {
            daemon = dev.drover.launch.ProcessRef.of(Integer.parseInt(
                    Files.readString(dir.resolve(".drover/drover.pid")).strip()));
        } catch (IOException | RuntimeException e) {
            daemon = null; // no daemon came up: nothing to stop
        }
        Matcher m = LISTENING.matcher(log());
        assertThat(m.find()).as(log()).isTrue();
        port = Integer.parseInt(m.group(1));
        tlsPort = m.group(2) == null ? -1 : Integer.parseInt(m.group(2));
        return started;
    }

    String log() throws IOException {
        Path log = dir.resolve(".drover/drover.log");
        return Files.exists(log) ? Files.readString(log) : "(no daemon log)";
    }

    DroverProcess drover(String... args) throws Exception {
        return DroverProcess.run(dir, args);
    }

    HttpResponse<String> get(String path) throws Exception {
        return get("127.0.0.1", path);
    }

    /** GET through the proxy; another host than 127.0.0.1 goes over a plain socket, since the JDK client sets Host itself. */
    HttpResponse<String> get(String host, String path) throws Exception {
        if (!host.equals("127.0.0.1")) {
            return rawGet(host, path);
        }
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(30))
                .build();
        return client.send(request, HttpResponse.BodyHandlers.ofString());
    }

    /** A GET with any Host header, over a plain socket (the JDK client does not let a test set Host). */
    HttpResponse<String> rawGet(String host, String path) throws Exception {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
            socket.setSoTimeout(30_000);
            socket.getOutputStream()
                    .write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n").getBytes());
            String text = new String(socket.getInputStream().readAllBytes());
            int status = Integer.parseInt(text.substring(9, 12));
            String body = text.substring(text.indexOf("\r\n\r\n") + 4);
            return new Fake(status, body);
        }
    }

    JsonNode json(HttpResponse<String> response) throws IOException {
        return JSON.readTree(response.body());
    }

    /** Waits until the proxy answers 200 for {@code path}. */
    void awaitServing(String path) {
        Waits.until(
                Duration.ofSeconds(30),
                "the proxy to serve " + path,
                () -> {
                    try {
                        return get(path).statusCode() == 200;
                    } catch (IOException e) {
                        return false;
                    }
                },
                () -> drover("ps").text() + "\n" + drover("routes").text());
    }

    @Override
    public void close() throws Exception {
        if (up) {
            DroverProcess.run(dir, "down", "--force");
        }
        dev.drover.launch.ProcessRef left = daemon;
        if (left != null && left.isRunning()) {
            // `down` did not get it gone (a slow machine, a hung socket): SIGTERM twice (the second
            // kills its children at once), SIGKILL only last, so its children are not orphaned.
            dev.drover.launch.Signals.send(left, dev.drover.launch.Signals.SIGTERM);
            if (!DaemonHarness.waitGone(left, Duration.ofSeconds(20))) {
                dev.drover.launch.Signals.send(left, dev.drover.launch.Signals.SIGTERM);
                if (!DaemonHarness.waitGone(left, Duration.ofSeconds(20))) {
                    dev.drover.launch.Signals.send(left, dev.drover.launch.Signals.SIGKILL);
                }
            }
        }
    }

    /** The answer of {@link #rawGet}, as an HttpResponse with what the tests look at. */
    private record Fake(int statusCode, String body) implements HttpResponse<String> {
        @Override
        public HttpRequest request() {
            return null;
        }

        @Override
        public java.util.Optional<HttpResponse<String>> previousResponse() {
            return java.util.Optional.empty();
        }

        @Override
        public java.net.http.HttpHeaders headers() {
            return java.net.http.HttpHeaders.of(java.util.Map.of(), (a, b) -> true);
        }

        @Override
        public java.util.Optional<javax.net.ssl.SSLSession> sslSession() {
            return java.util.Optional.empty();
        }

        @Override
        public URI uri() {
            return null;
        }

        @Override
        public HttpClient.Version version() {
            return HttpClient.Version.HTTP_1_1;
        }
    }
}
