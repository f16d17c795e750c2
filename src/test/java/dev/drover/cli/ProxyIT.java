package dev.drover.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drover.Waits;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The reverse proxy in the real daemon, in front of real backends (backend.py). */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ProxyIT {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private ProxyStack stack;

    @AfterEach
    void stop() throws Exception {
        if (stack != null) {
            stack.close();
        }
    }

    private ProxyStack start(String yaml) throws Exception {
        stack = new ProxyStack(dir);
        return stack.start(yaml);
    }

    private static final String WEB = """
              web:
                command: ["python3", "backend.py"]
                replicas: 2
                port: auto
                readiness: {http: "http://127.0.0.1:${PORT}/health", interval: 100ms}
                drain_timeout: 10s
            """;

    @Test
    void routesByHostWildcardAndLongestPrefixAndStripThePrefix() throws Exception {
        start("""
                proxy: {listen: "127.0.0.1:0"}
                routes:
                  - {path: /, process: site}
                  - {host: "*.example.test", path: /api, process: api, strip_prefix: true}
                  - {host: "example.test", path: /api, process: exact}
                processes:
                  site: {command: ["python3", "backend.py"], port: auto, readiness: {http: "http://127.0.0.1:${PORT}/health", interval: 100ms}}
                  api: {command: ["python3", "backend.py"], port: auto, readiness: {http: "http://127.0.0.1:${PORT}/health", interval: 100ms}}
                  exact: {command: ["python3", "backend.py"], port: auto, readiness: {http: "http://127.0.0.1:${PORT}/health", interval: 100ms}}
                """);
        JsonNode site = stack.json(stack.get("other.test", "/api/x"));
        assertThat(site.get("name").asText()).isEqualTo("site.0");
        assertThat(site.get("path").asText()).isEqualTo("/api/x");
        JsonNode api = stack.json(stack.get("a.example.test", "/api/users?id=1"));
        assertThat(api.get("name").asText()).isEqualTo("api.0");
        assertThat(api.get("path").asText()).as("prefix stripped, query kept").isEqualTo("/users?id=1");
        JsonNode exact = stack.json(stack.get("example.test", "/api/users"));
        assertThat(exact.get("name").asText()).isEqualTo("exact.0");
        assertThat(exact.get("path").asText()).isEqualTo("/api/users");
        assertThat(stack.json(stack.get("example.test", "/apiary")).get("name").asText())
                .as("whole segments only")
                .isEqualTo("site.0");
    }

    @Test
    void forwardingHeadersAreSetAndTheRequestIdIsPassedOrMadeAndLogged() throws Exception {
        start("""
                proxy: {listen: "127.0.0.1:0", access_log: {path: access.log}}
                routes:
                  - {path: /, process: web}
                processes:
                """ + WEB);
        HttpResponse<String> response = stack.client.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + stack.port + "/h"))
                        .header("X-Request-Id", "test-123")
                        .header("X-Forwarded-For", "10.0.0.9")
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        JsonNode headers = stack.json(response).get("headers");
        assertThat(headers.get("x-forwarded-for").asText()).isEqualTo("10.0.0.9, 127.0.0.1");
        assertThat(headers.get("x-forwarded-proto").asText()).isEqualTo("http");
        assertThat(headers.get("x-forwarded-host").asText()).isEqualTo("127.0.0.1:" + stack.port);
        assertThat(headers.get("forwarded").asText()).contains("for=").contains("proto=http");
        assertThat(headers.get("x-request-id").asText()).isEqualTo("test-123");
        assertThat(response.headers().firstValue("X-Request-Id")).contains("test-123");
        HttpResponse<String> fresh = stack.get("/h");
        String made = fresh.headers().firstValue("X-Request-Id").orElseThrow();
        assertThat(stack.json(fresh).get("headers").get("x-request-id").asText())
                .isEqualTo(made);
        Path log = dir.resolve("access.log");
        Waits.until(
                WAIT,
                "the access log",
                () -> Files.exists(log) && Files.readString(log).contains(made),
                () -> Files.exists(log) ? Files.readString(log) : "(none)");
        JsonNode line = ProxyStack.JSON.readTree(Files.readAllLines(log).stream()
                .filter(l -> l.contains(made))
                .findFirst()
                .orElseThrow());
        assertThat(line.get("status").asInt()).isEqualTo(200);
        assertThat(line.get("route").asText()).isEqualTo("/");
        assertThat(line.get("instance").asText()).startsWith("web.");
        assertThat(line.get("method").asText()).isEqualTo("GET");
    }

    @Test
    void onlyReadyInstancesGetTrafficSpreadRoundRobin() throws Exception {
        start("""
                proxy: {listen: "127.0.0.1:0"}
                routes:
                  - {path: /, process: web}
                processes:
                  web:
                    command: ["python3", "backend.py"]
                    replicas: 3
                    port: auto
                    env: {READY_FILE: "ready-${DROVER_REPLICA}"}
                    readiness: {http: "http://127.0.0.1:${PORT}/health", interval: 100ms, failure_threshold: 1}
                """, List.of("ready-0", "ready-2"));
        Waits.until(
                WAIT,
                "web.0 and web.2 running and ready",
                () -> {
                    int ready = 0;
                    for (JsonNode p : ProxyStack.JSON
                            .readTree(stack.drover("ps", "--json").text())
                            .get("processes")) {
                        String id = p.get("id").asText();
                        if ((id.equals("web.0") || id.equals("web.2"))
                                && p.get("state").asText().equals("running")
                                && p.get("health").asText().equals("ready")) {
                            ready++;
                        }
                    }
                    return ready == 2;
                },
                () -> stack.drover("ps").text());
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 30; i++) {
            seen.add(stack.json(stack.get("/")).get("name").asText());
        }
        assertThat(seen).containsExactlyInAnyOrder("web.0", "web.2");
        Files.writeString(dir.resolve("ready-1"), "");
        Waits.until(
                WAIT,
                "web.1 in rotation",
                () -> {
                    Set<String> now = new HashSet<>();
                    for (int i = 0; i < 9; i++) {
                        now.add(stack.json(stack.get("/")).get("name").asText());
                    }
                    return now.contains("web.1");
                },
                () -> stack.drover("routes").text());
        Files.delete(dir.resolve("ready-0"));
        Waits.until(
                WAIT,
                "web.0 out of rotation",
                () -> stack.drover("ps", "--json").text().contains("\"not_ready\""),
                () -> stack.drover("ps").text());
        for (int i = 0; i < 30; i++) {
            assertThat(stack.json(stack.get("/")).get("name").asText()).isNotEqualTo("web.0");
        }
    }

    /** Like {@link #start(String)}, with files created first (readiness flags). */
    private ProxyStack start(String yaml, List<String> files) throws Exception {
        for (String file : files) {
            Files.writeString(dir.resolve(file), "");
        }
        stack = new ProxyStack(dir);
        // Not every instance is ready on purpose: `up -d` says so, the daemon runs on.
        stack.startAnyway(yaml, Duration.ofSeconds(5));
        return stack;
    }

    @Test
    void withNothingReadyARequestWaitsQueueTimeoutThenGets503WithRetryAfterInJsonOrHtml() throws Exception {
        start("""
                proxy: {listen: "127.0.0.1:0", queue_timeout: 1s}
                routes:
                  - {path: /, process: web}
                processes:
                  web:
                    command: ["python3", "backend.py"]
                    port: auto
                    env: {READY_FILE: "never"}
                    readiness: {http: "http://127.0.0.1:${PORT}/health", interval: 100ms}
                """, List.of());
        long before = System.nanoTime();
        HttpResponse<String> response = stack.get("/x");
        assertThat(Duration.ofNanos(System.nanoTime() - before)).isGreaterThanOrEqualTo(Duration.ofMillis(900));
        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.headers().firstValue("Retry-After")).contains("1");
        assertThat(stack.json(response).get("error").asText())
                .isEqualTo("no instance of web became ready within 1s (proxy.queue_timeout)");
        assertThat(stack.json(response).get("process").asText()).isEqualTo("web");
        HttpResponse<String> page = stack.client.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + stack.port + "/x"))
                        .header("Accept", "text/html")
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(page.statusCode()).isEqualTo(503);
        assertThat(page.body()).startsWith("<!doctype html>").contains("no instance of web");
        HttpResponse<String> noRoute = stack.get("nothing.test", "/x");
        assertThat(noRoute.statusCode())
                .as("the only route has no host: every host matches")
                .isEqualTo(503);
    }

    @Test
    void aRequestDuringTheStopAndStartOfAFixedPortProcessWaitsAndSucceeds() throws Exception {
        int port;
        try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
            port = free.getLocalPort();
        }
        start("""
                proxy: {listen: "127.0.0.1:0"}
                routes:
                  - {path: /, process: web}
                processes:
                  web:
                    command: ["python3", "backend.py"]
                    port: %d
                    readiness: {http: "http://127.0.0.1:${PORT}/health", interval: 100ms}
                """.formatted(port));
        int before = stack.json(stack.get("/")).get("pid").asInt();
        CompletableFuture<DroverProcess> restart = CompletableFuture.supplyAsync(() -> {
            try {
                return stack.drover("restart", "web");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        List<Integer> statuses = Collections.synchronizedList(new ArrayList<>());
        Set<Integer> pids = Collections.synchronizedSet(new HashSet<>());
        while (!restart.isDone() || pids.size() < 2) {
            HttpResponse<String> r = stack.get("/");
            statuses.add(r.statusCode());
            if (r.statusCode() == 200) {
                pids.add(stack.json(r).get("pid").asInt());
            }
            if (statuses.size() > 2000) {
                break;
            }
        }
        assertThat(restart.get().exitCode()).as(restart.get().text()).isZero();
        assertThat(statuses)
                .as("every request waited for the restart and succeeded")
                .containsOnly(200);
        assertThat(pids).contains(before).hasSizeGreaterThanOrEqualTo(2);
    }

    @Test
    void aTwoSecondRequestFinishesAcrossARestartBecauseTheInstanceIsDrainedFirst() throws Exception {
        start("""
                proxy: {listen: "127.0.0.1:0"}
                routes:
                  - {path: /, process: web}
                processes:
                """ + WEB);
        CompletableFuture<HttpResponse<String>> slow = stack.client.sendAsync(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + stack.port + "/slow"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        Waits.until(
                WAIT,
                "the slow request in flight",
                () -> stack.drover("routes").text().contains("1 in flight"),
                () -> stack.drover("routes").text());
        DroverProcess restart = stack.drover("restart", "web");
        assertThat(restart.exitCode()).as(restart.text()).isZero();
        HttpResponse<String> finished = slow.get(30, TimeUnit.SECONDS);
        assertThat(finished.statusCode()).isEqualTo(200);
        assertThat(stack.json(finished).get("path").asText()).isEqualTo("/slow");
        assertThat(stack.log()).contains("draining first").contains("replacing pid");
    }

    @Test
    void aRolloutReplacesEveryInstanceOnANewPortAndARollbackKeepsTheOldOnes() throws Exception {
        start("""
                proxy: {listen: "127.0.0.1:0"}
                routes:
                  - {path: /, process: web}
                processes:
                """ + WEB);
        JsonNode before =
                ProxyStack.JSON.readTree(stack.drover("ps", "--json").text()).get("processes");
        DroverProcess restart = stack.drover("restart", "web");
        assertThat(restart.exitCode()).as(restart.text()).isZero();
        JsonNode after =
                ProxyStack.JSON.readTree(stack.drover("ps", "--json").text()).get("processes");
        assertThat(after).hasSize(2);
        for (int i = 0; i < 2; i++) {
            assertThat(after.get(i).get("pid").asInt())
                    .isNotEqualTo(before.get(i).get("pid").asInt());
            assertThat(after.get(i).get("port").asInt())
                    .as("a replacement runs on a new port")
                    .isNotEqualTo(before.get(i).get("port").asInt());
            assertThat(after.get(i).get("role").isNull()).isTrue();
        }
        // A replacement that never gets ready: the rollout fails, the old instances keep serving.
        Files.writeString(
                dir.resolve("drover.yaml"),
                Files.readString(dir.resolve("drover.yaml"))
                        .replace(
                                "drain_timeout: 10s",
                                "drain_timeout: 10s\n    env: {READY_FILE: never}\n    rollout: {ready_timeout: 2s}"));
        DroverProcess reload = stack.drover("reload");
        assertThat(reload.exitCode()).isEqualTo(1);
        assertThat(reload.text())
                .contains("rollout of web failed at web.0: not ready after 2s")
                .contains("old instance kept");
        JsonNode kept =
                ProxyStack.JSON.readTree(stack.drover("ps", "--json").text()).get("processes");
        assertThat(kept).hasSize(2);
        assertThat(kept.get(0).get("pid").asInt())
                .isEqualTo(after.get(0).get("pid").asInt());
        assertThat(stack.get("/").statusCode()).isEqualTo(200);
    }

    @Test
    void aWebSocketIsRelayedBothWays() throws Exception {
        start("""
                proxy: {listen: "127.0.0.1:0"}
                routes:
                  - {path: /ws, process: web}
                processes:
                """ + WEB);
        List<String> received = Collections.synchronizedList(new ArrayList<>());
        CompletableFuture<Void> two = new CompletableFuture<>();
        WebSocket socket = stack.client
                .newWebSocketBuilder()
                .buildAsync(URI.create("ws://127.0.0.1:" + stack.port + "/ws/chat"), new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                        received.add(data.toString());
                        if (received.size() == 2) {
                            two.complete(null);
                        }
                        webSocket.request(1);
                        return null;
                    }
                })
                .get(30, TimeUnit.SECONDS);
        socket.sendText("hello", true).get(10, TimeUnit.SECONDS);
        socket.sendText("again", true).get(10, TimeUnit.SECONDS);
        two.get(30, TimeUnit.SECONDS);
        assertThat(received).hasSize(2).allMatch(m -> m.startsWith("echo from web."));
        assertThat(received.get(0)).endsWith(": hello");
        assertThat(received.get(1)).endsWith(": again");
        Waits.until(
                WAIT,
                "the open WebSocket counted in flight",
                () -> stack.drover("routes").text().contains("1 in flight"),
                () -> stack.drover("routes").text());
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(10, TimeUnit.SECONDS);
        Waits.until(
                WAIT,
                "the closed WebSocket no longer in flight",
                () -> !stack.drover("routes").text().contains("1 in flight"),
                () -> stack.drover("routes").text());
    }

    @Test
    void serverSentEventsStreamThroughWithoutBuffering() throws Exception {
        start("""
                proxy: {listen: "127.0.0.1:0"}
                routes:
                  - {path: /, process: web}
                processes:
                """ + WEB);
        long started = System.nanoTime();
        List<Long> arrivals = Collections.synchronizedList(new ArrayList<>());
        HttpResponse<java.util.stream.Stream<String>> response = stack.client.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + stack.port + "/events"))
                        .build(),
                HttpResponse.BodyHandlers.ofLines());
        assertThat(response.headers().firstValue("Content-Type")).contains("text/event-stream");
        List<String> events = new ArrayList<>();
        response.body().filter(l -> l.startsWith("data:")).forEach(l -> {
            events.add(l);
            arrivals.add(System.nanoTime() - started);
        });
        long ended = System.nanoTime() - started;
        assertThat(events).hasSize(5);
        // The backend writes one event every 0.5 s: the first must arrive long before the stream ends.
        assertThat(Duration.ofNanos(ended - arrivals.getFirst())).isGreaterThan(Duration.ofMillis(1500));
    }

    @Test
    void aBodyOverMaxBodyGets413AndAnUpstreamThatRefusesGets502() throws Exception {
        start("""
                proxy: {listen: "127.0.0.1:0", max_body: 1KB}
                routes:
                  - {path: /, process: web}
                  - {path: /gone, target: "http://127.0.0.1:9"}
                processes:
                """ + WEB);
        HttpResponse<String> small = stack.client.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + stack.port + "/post"))
                        .POST(HttpRequest.BodyPublishers.ofString("x".repeat(100)))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(stack.json(small).get("received").asInt()).isEqualTo(100);
        HttpResponse<String> large = stack.client.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + stack.port + "/post"))
                        .POST(HttpRequest.BodyPublishers.ofString("x".repeat(5000)))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(large.statusCode()).isEqualTo(413);
        assertThat(stack.json(large).get("error").asText())
                .contains("5000 bytes")
                .contains("proxy.max_body");
        // Refused from its Content-Length before the body was sent: the connection cannot serve another request,
        // and the answer must say so, or a client that keeps connections alive reuses it and gets nothing.
        try (java.net.Socket raw = new java.net.Socket("127.0.0.1", stack.port)) {
            raw.setSoTimeout(10_000);
            raw.getOutputStream()
                    .write("POST /post HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5000\r\n\r\n"
                            .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            String head = new String(raw.getInputStream().readNBytes(400), java.nio.charset.StandardCharsets.US_ASCII);
            assertThat(head).startsWith("HTTP/1.1 413").containsIgnoringCase("\r\nConnection: close\r\n");
        }
        HttpResponse<String> gone = stack.get("/gone");
        assertThat(gone.statusCode()).isEqualTo(502);
        assertThat(stack.json(gone).get("error").asText())
                .contains("http://127.0.0.1:9")
                .contains("refused the connection");
    }

    @Test
    void anOnDemandProcessStartsOnItsFirstRequestAndStopsWhenIdle() throws Exception {
        start("""
                proxy: {listen: "127.0.0.1:0", queue_timeout: 20s}
                routes:
                  - {path: /, process: preview}
                processes:
                  preview:
                    command: ["python3", "backend.py"]
                    port: auto
                    start: on_demand
                    idle_stop: 2s
                    readiness: {http: "http://127.0.0.1:${PORT}/health", interval: 100ms}
                """);
        assertThat(stack.drover("ps").text()).contains("idle (on demand)");
        HttpResponse<String> first = stack.get("/hello");
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(stack.json(first).get("name").asText()).isEqualTo("preview.0");
        Waits.until(
                WAIT,
                "preview stopped for being idle",
                () -> stack.drover("ps").text().contains("idle (on demand)"),
                () -> stack.drover("ps").text() + stack.log());
        assertThat(stack.log()).contains("no request for 2s (idle_stop): stopping it");
        assertThat(stack.get("/again").statusCode())
                .as("started again by the next request")
                .isEqualTo(200);
    }

    @Test
    void theRoutesApiAndMetricsShowTheTraffic() throws Exception {
        start("""
                proxy: {listen: "127.0.0.1:0"}
                routes:
                  - {path: /, process: web}
                processes:
                """ + WEB);
        for (int i = 0; i < 10; i++) {
            assertThat(stack.get("/r").statusCode()).isEqualTo(200);
        }
        JsonNode routes = ProxyStack.JSON
                .readTree(stack.drover("routes", "--json").text())
                .get("routes");
        assertThat(routes).hasSize(1);
        assertThat(routes.get(0).get("requests").asLong()).isEqualTo(10);
        assertThat(routes.get(0).get("instances")).hasSize(2);
        long perInstance = 0;
        for (JsonNode instance : routes.get(0).get("instances")) {
            assertThat(instance.get("inRotation").asBoolean()).isTrue();
            perInstance += instance.get("requests").asLong();
        }
        assertThat(perInstance).isEqualTo(10);
        assertThat(stack.drover("routes").text())
                .contains("-> web (round-robin)")
                .contains("requests 10");
        String metrics = new String(new ProcessBuilder(
                        "curl",
                        "-s",
                        "--unix-socket",
                        dir.resolve(".drover/drover.sock").toString(),
                        "http://localhost/metrics")
                .start()
                .getInputStream()
                .readAllBytes());
        assertThat(metrics)
                .contains("drover_proxy_requests_total{code=\"2xx\",route=\"/\"} 10.0")
                .contains("drover_proxy_request_duration_seconds_count{route=\"/\"} 10")
                .contains("drover_proxy_in_flight{instance=\"web.0\",process=\"web\"} 0.0");
    }

    @Test
    void drainByHandTakesAnInstanceOutOfRotationUntilUndrain() throws Exception {
        start("""
                proxy: {listen: "127.0.0.1:0"}
                routes:
                  - {path: /, process: web}
                processes:
                """ + WEB);
        DroverProcess drain = stack.drover("drain", "web.0");
        assertThat(drain.exitCode()).as(drain.text()).isZero();
        for (int i = 0; i < 10; i++) {
            assertThat(stack.json(stack.get("/")).get("name").asText()).isEqualTo("web.1");
        }
        assertThat(stack.drover("ps").text()).contains("drained by hand");
        assertThat(stack.drover("undrain", "web.0").exitCode()).isZero();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 10; i++) {
            seen.add(stack.json(stack.get("/")).get("name").asText());
        }
        assertThat(seen).containsExactlyInAnyOrder("web.0", "web.1");
    }
}
