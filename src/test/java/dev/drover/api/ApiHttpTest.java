package dev.drover.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.drover.Describe;
import dev.drover.Waits;
import dev.drover.control.ControlException;
import dev.drover.control.LogEntry;
import dev.drover.engine.Engine;
import dev.drover.engine.EngineControl;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The API as HTTP: hand-written requests over the real socket to a real engine. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ApiHttpTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String WEB = """
            processes:
              web:
                command: "exec sleep 300"
                min_uptime: 0s
            """;

    @TempDir
    Path dir;

    private TestEngines engines;
    private ApiServer server;
    private Engine engine;
    private CountingControl control;
    private ApiHandler handler;
    private final CountDownLatch shutdownRequested = new CountDownLatch(1);

    @BeforeEach
    void createEngines() {
        engines = new TestEngines(dir);
    }

    @AfterEach
    void stopEverything() {
        try {
            if (server != null) {
                server.stop();
            }
        } finally {
            engines.close();
        }
    }

    private Path serve(String yaml) throws Exception {
        return serve(yaml, 1024, Duration.ofSeconds(15));
    }

    private Path serve(String yaml, int streamQueue, Duration heartbeat) throws Exception {
        engine = engines.start(yaml);
        control = new CountingControl(new EngineControl(engine, force -> {
            shutdownRequested.countDown();
            engine.shutdown();
        }));
        handler = new ApiHandler(control, new Metrics(), null, streamQueue, heartbeat);
        server = ApiServer.start(control, handler, dir.resolve("api.sock"));
        return server.socket();
    }

    private void awaitRunning(String id) {
        Waits.until(WAIT, id + " to run", () -> control.process(id).state().equals("running"), this::seen);
    }

    /** For a wait that ran out: what GET /api/processes answers now (if the server still does), and the engine. */
    private String seen() {
        String answer;
        try {
            answer = RawHttp.get(server.socket(), "/api/processes").toString();
        } catch (IOException | RuntimeException e) {
            answer = "(no answer: " + e + ")";
        }
        return "GET /api/processes: " + answer + "\nthe engine sees:\n" + TestEngines.describe(engine);
    }

    /** The same, after the follows still open and the last lines of one process. */
    private String seen(String logsOf) {
        String logs;
        try {
            logs = TestEngines.describe(control.logs(logsOf, 200));
        } catch (ControlException e) {
            logs = "  (no logs: " + e + ")\n";
        }
        return "open follows: " + control.openFollows() + "\nlogs of " + logsOf + ":\n" + logs + seen();
    }

    @Test
    void theSocketIsOnlyForItsOwner() throws Exception {
        Files.writeString(dir.resolve("api.sock"), "stale file from a dead daemon");
        Path socket = serve(WEB);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)))
                .isEqualTo("rw-------");
        assertThat(RawHttp.get(socket, "/alive").status()).isEqualTo(200);
        server.stop();
        assertThat(socket).doesNotExist();
    }

    @Test
    void anUnknownRouteIsA404WithAJsonError() throws Exception {
        Path socket = serve(WEB);
        for (String target : List.of("/api/nope", "/", "/api/processes/web/explode", "/api/processes/")) {
            RawHttp.Answer answer = RawHttp.get(socket, target);
            assertThat(answer.status()).as(target).isEqualTo(404);
            assertThat(answer.header("content-type")).startsWith("application/json");
            assertThat(answer.json().get("error").asText()).contains("no such route");
            assertThat(answer.json().has("detail")).isTrue();
        }
    }

    @Test
    void aKnownRouteWithTheWrongMethodIsA405ThatSaysWhichMethodsAreAllowed() throws Exception {
        Path socket = serve(WEB);
        RawHttp.Answer delete = RawHttp.send(socket, RawHttp.request("DELETE", "/api/processes", null));
        assertThat(delete.status()).isEqualTo(405);
        assertThat(delete.header("allow")).isEqualTo("GET");
        assertThat(delete.json().get("error").asText()).contains("DELETE");

        RawHttp.Answer getReload = RawHttp.get(socket, "/api/reload");
        assertThat(getReload.status()).isEqualTo(405);
        assertThat(getReload.header("allow")).isEqualTo("POST");

        RawHttp.Answer getStart = RawHttp.get(socket, "/api/processes/web/start");
        assertThat(getStart.status()).isEqualTo(405);
        assertThat(getStart.header("allow")).isEqualTo("POST");
    }

    @Test
    void aMalformedOrIncompleteBodyIsA400() throws Exception {
        Path socket = serve(WEB);
        awaitRunning("web");
        assertBadRequest(RawHttp.post(socket, "/api/processes/web/signal", "{\"signal\": "), "malformed JSON");
        assertBadRequest(RawHttp.post(socket, "/api/processes/web/signal", "{}"), "missing field \"signal\"");
        assertBadRequest(RawHttp.post(socket, "/api/processes/web/signal", "[\"HUP\"]"), "JSON object");
        assertBadRequest(
                RawHttp.post(socket, "/api/processes/web/signal", "{\"signal\": {\"name\": \"HUP\"}}"),
                "must be a string");
        assertBadRequest(RawHttp.post(socket, "/api/processes/web/signal", null), "body is required");
        assertBadRequest(RawHttp.get(socket, "/api/processes/web/logs?lines=many"), "lines");
        assertBadRequest(RawHttp.get(socket, "/api/processes/web/logs?lines=-3"), "lines");
        assertBadRequest(RawHttp.get(socket, "/api/processes/web/logs?follow=perhaps"), "follow");
        assertThat(engine.snapshot("web").state().label()).isEqualTo("running");
    }

    @Test
    void aScaleNeedsAWholeNumberOfReplicasAndAKnownProcess() throws Exception {
        Path socket = serve(WEB);
        awaitRunning("web");
        assertBadRequest(RawHttp.post(socket, "/api/processes/web/scale", "{}"), "missing field \"replicas\"");
        assertBadRequest(RawHttp.post(socket, "/api/processes/web/scale", "{\"replicas\": \"3\"}"), "whole number");
        assertBadRequest(RawHttp.post(socket, "/api/processes/web/scale", "{\"replicas\": 2.5}"), "whole number");
        assertBadRequest(
                RawHttp.post(socket, "/api/processes/web/scale", "{\"replicas\": 99999999999}"), "whole number");
        assertBadRequest(RawHttp.post(socket, "/api/processes/web/scale", "{\"replicas\": 0}"), "1 or more");
        RawHttp.Answer unknown = RawHttp.post(socket, "/api/processes/ghost/scale", "{\"replicas\": 2}");
        assertThat(unknown.status()).as(unknown.body()).isEqualTo(404);
        assertThat(unknown.json().get("error").asText()).isEqualTo("unknown process ghost (known: web)");
        assertThat(engine.instanceNames()).containsExactly("web");
    }

    private static void assertBadRequest(RawHttp.Answer answer, String message) throws IOException {
        assertThat(answer.status()).as(answer.body()).isEqualTo(400);
        assertThat(answer.json().get("error").asText()).contains(message);
    }

    @Test
    void aBodyOver64KiBIsA413() throws Exception {
        Path socket = serve(WEB);
        String big = "{\"signal\": \"HUP\", \"padding\": \"" + "x".repeat(70_000) + "\"}";
        RawHttp.Answer declared = RawHttp.post(socket, "/api/processes/web/signal", big);
        assertThat(declared.status()).isEqualTo(413);
        assertThat(declared.json().get("error").asText()).contains("64 KiB");

        // Chunked: no length announced, the limit holds while reading.
        StringBuilder chunked =
                new StringBuilder("POST /api/processes/web/signal HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
                        + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n");
        byte[] bytes = big.getBytes(StandardCharsets.UTF_8);
        for (int offset = 0; offset < bytes.length; offset += 8192) {
            int length = Math.min(8192, bytes.length - offset);
            chunked.append(Integer.toHexString(length))
                    .append("\r\n")
                    .append(big, offset, offset + length)
                    .append("\r\n");
        }
        chunked.append("0\r\n\r\n");
        assertThat(RawHttp.send(socket, chunked.toString()).status()).isEqualTo(413);
    }

    @Test
    void processRoutesAnswerWithTheProcessAndTheRightStatus() throws Exception {
        Path socket = serve(WEB);
        awaitRunning("web");
        RawHttp.Answer list = RawHttp.get(socket, "/api/processes");
        assertThat(list.status()).isEqualTo(200);
        JsonNode first = list.json().get("processes").get(0);
        for (String field : List.of(
                "id",
                "name",
                "state",
                "health",
                "pid",
                "startTime",
                "uptime",
                "restartCount",
                "healthCheckFailures",
                "lastHealthCheck",
                "port",
                "cpu",
                "memory")) {
            assertThat(first.has(field)).as(field).isTrue();
        }
        assertThat(first.get("id").asText()).isEqualTo("web");

        // The id is percent-decoded exactly once.
        assertThat(RawHttp.get(socket, "/api/processes/w%65b").json().get("id").asText())
                .isEqualTo("web");
        RawHttp.Answer twice = RawHttp.get(socket, "/api/processes/w%2565b");
        assertThat(twice.status()).isEqualTo(400); // Jetty refuses %25 in paths as ambiguous
        assertThat(twice.json().get("error").asText()).contains("Ambiguous");
        RawHttp.Answer spaced = RawHttp.get(socket, "/api/processes/no%20such");
        assertThat(spaced.status()).isEqualTo(404);
        assertThat(spaced.json().get("error").asText())
                .contains("unknown process no such")
                .contains("known: web");

        RawHttp.Answer stop = RawHttp.post(socket, "/api/processes/web/stop", null);
        assertThat(stop.status()).isEqualTo(202);
        assertThat(stop.json().get("id").asText()).isEqualTo("web");
        Waits.until(WAIT, "web to stop", () -> control.process("web").state().equals("stopped"), this::seen);
        assertThat(RawHttp.post(socket, "/api/processes/web/start", null).status())
                .isEqualTo(202);
        awaitRunning("web");
        assertThat(RawHttp.post(socket, "/api/processes/web/signal", "{\"signal\": \"HUP\"}")
                        .status())
                .isEqualTo(202);
    }

    @Test
    void readyFollowsSetReadyAndAliveIsAlways200() throws Exception {
        Path socket = serve(WEB);
        Waits.until(
                WAIT,
                "web to be healthy",
                () -> RawHttp.get(socket, "/health").status() == 200,
                () -> RawHttp.get(socket, "/health").toString());
        RawHttp.Answer notReady = RawHttp.get(socket, "/ready");
        assertThat(notReady.status()).isEqualTo(503);
        assertThat(notReady.json().get("status").asText()).isEqualTo("not_ready");

        handler.setReady(true);
        RawHttp.Answer ready = RawHttp.get(socket, "/ready");
        assertThat(ready.status()).isEqualTo(200);
        assertThat(ready.json().get("status").asText()).isEqualTo("ready");

        handler.setReady(false);
        assertThat(RawHttp.get(socket, "/ready").status()).isEqualTo(503);

        RawHttp.Answer alive = RawHttp.get(socket, "/alive");
        assertThat(alive.status()).isEqualTo(200);
        assertThat(alive.json().get("status").asText()).isEqualTo("alive");
    }

    @Test
    void readyIs503WhileAWantedProcessIsFatalEvenOnceStarted() throws Exception {
        Path socket = serve("""
                processes:
                  web: {command: "exec sleep 300", min_uptime: 0s}
                  broken: {command: "exit 1", max_restarts: 1, backoff: {initial: 10ms, max: 10ms}}
                """);
        handler.setReady(true);
        awaitRunning("web");
        Waits.until(
                WAIT,
                "broken to give up",
                () -> control.process("broken").state().equals("fatal"),
                () -> String.valueOf(control.processes()));
        RawHttp.Answer ready = RawHttp.get(socket, "/ready");
        assertThat(ready.status()).as("/ready agrees with /health: %s", ready).isEqualTo(503);
        assertThat(RawHttp.get(socket, "/health").status()).isEqualTo(503);
    }

    @Test
    void healthIs503UntilEveryProcessIsReady() throws Exception {
        Path flag = dir.resolve("ready-flag");
        Path socket = serve("""
                processes:
                  web:
                    command: "exec sleep 300"
                    readiness: {exec: "test -f %s", interval: 100ms}
                """.formatted(flag));
        awaitRunning("web");
        RawHttp.Answer unhealthy = RawHttp.get(socket, "/health");
        assertThat(unhealthy.status()).isEqualTo(503);
        assertThat(unhealthy.json().get("status").asText()).isEqualTo("unhealthy");
        JsonNode processes = unhealthy.json().get("processes");
        assertThat(processes.get("total").asInt()).isEqualTo(1);
        assertThat(processes.get("running").asInt()).isEqualTo(1);
        assertThat(processes.get("ready").asInt()).isZero();
        assertThat(processes.get("details").get(0).get("id").asText()).isEqualTo("web");

        Files.writeString(flag, "");
        Waits.until(
                WAIT,
                "/health to answer 200",
                () -> RawHttp.get(socket, "/health").status() == 200,
                () -> "GET /health: " + RawHttp.get(socket, "/health") + "\n" + seen());
        assertThat(RawHttp.get(socket, "/health").json().get("status").asText()).isEqualTo("healthy");
    }

    @Test
    void logsAnswerWithTheLastLines() throws Exception {
        Path socket = serve("""
                processes:
                  counter:
                    command: "for i in $(seq 1 150); do echo line-$i; done; exec sleep 300"
                """);
        Waits.until(
                WAIT,
                "line-150 and the started line in the logs",
                () -> control.logs("counter", 200).stream()
                                .anyMatch(e -> e.line().equals("line-150"))
                        && control.logs("counter", 200).stream()
                                .anyMatch(e -> e.line().startsWith("started")),
                () -> seen("counter"));
        List<LogEntry> lastThree = control.logs("counter", 3);
        JsonNode byDefault =
                RawHttp.get(socket, "/api/processes/counter/logs").json().get("lines");
        assertThat(byDefault).hasSize(ApiHandler.DEFAULT_LINES);
        JsonNode three = RawHttp.get(socket, "/api/processes/counter/logs?lines=3")
                .json()
                .get("lines");
        assertThat(three).hasSize(3);
        assertThat(JSON.convertValue(three, LogEntry[].class)).containsExactlyElementsOf(lastThree);
        assertThat(lastThree)
                .anyMatch(e -> e.line().equals("line-150")
                        && e.stream().equals("stdout")
                        && e.process().equals("counter"));
    }

    @Test
    void followStreamsTheLastLinesThenEveryNewOneAsServerSentEvents() throws Exception {
        Path socket = serve("""
                processes:
                  ticker:
                    command: "for i in 1 2 3 4 5; do echo old-$i; done; while [ ! -f %s ]; do sleep 0.02; done; for i in 1 2 3; do echo new-$i; done; exec sleep 300"
                """.formatted(dir.resolve("go")), 1024, Duration.ofMillis(100));
        Waits.until(
                WAIT,
                "old-5 and the started line in the last 10 lines",
                () -> control.logs("ticker", 10).stream().anyMatch(e -> e.line().equals("old-5"))
                        && control.logs("ticker", 10).stream()
                                .anyMatch(e -> e.line().startsWith("started")),
                () -> seen("ticker"));
        List<String> lastTwo =
                control.logs("ticker", 2).stream().map(LogEntry::line).toList();
        try (RawHttp.Stream stream =
                RawHttp.open(socket, RawHttp.request("GET", "/api/processes/ticker/logs?lines=2&follow=true", null))) {
            assertThat(stream.status()).isEqualTo(200);
            assertThat(stream.header("content-type")).startsWith("text/event-stream");
            assertThat(stream.readLine()).isEqualTo(": following ticker");
            assertThat(stream.readLine()).isEmpty();
            List<String> lines = new ArrayList<>();
            lines.add(event(stream).line());
            lines.add(event(stream).line());
            assertThat(lines).isEqualTo(lastTwo).contains("old-5");
            Files.writeString(dir.resolve("go"), "");
            for (int i = 1; i <= 3; i++) {
                assertThat(event(stream).line()).isEqualTo("new-" + i);
            }
        }
        Waits.until(WAIT, "no follow open", () -> control.openFollows() == 0, () -> seen("ticker"));
    }

    /** The next {@code data:} event, skipping comments. */
    private static LogEntry event(RawHttp.Stream stream) throws IOException {
        while (true) {
            String line = stream.readLine();
            assertThat(line).as("stream still open").isNotNull();
            if (line.startsWith("data: ")) {
                assertThat(stream.readLine()).isEmpty();
                return JSON.readValue(line.substring(6), LogEntry.class);
            }
        }
    }

    @Test
    void aClientThatGoesAwayHasItsFollowClosed() throws Exception {
        Path socket = serve(WEB, 1024, Duration.ofMillis(100));
        RawHttp.Stream stream =
                RawHttp.open(socket, RawHttp.request("GET", "/api/processes/web/logs?lines=0&follow=true", null));
        assertThat(stream.readLine()).startsWith(": following");
        Waits.until(WAIT, "one follow open", () -> control.openFollows() == 1, () -> seen("web"));
        stream.close();
        Waits.until(WAIT, "no follow open", () -> control.openFollows() == 0, () -> seen("web"));
    }

    @Test
    void stoppingTheServerEndsOpenStreams() throws Exception {
        Path socket = serve(WEB);
        try (RawHttp.Stream stream = RawHttp.open(socket, RawHttp.request("GET", "/api/logs?follow=true", null))) {
            assertThat(stream.readLine()).isEqualTo(": following every process");
            Waits.until(WAIT, "one follow open", () -> control.openFollows() == 1, () -> seen("web"));
            server.stop();
            Waits.until(WAIT, "no follow open", () -> control.openFollows() == 0, () -> seen("web"));
        }
    }

    /**
     * A client that does not read must not slow the process's output: its lines are dropped, and
     * every line is accounted for, either delivered or counted in a "dropped" comment.
     */
    @Test
    void aStalledClientNeverBlocksTheOutputAndIsToldWhatItMissed() throws Exception {
        int total = 100_000;
        Path go = dir.resolve("go");
        Path socket = serve("""
                processes:
                  flood:
                    command: "while [ ! -f %s ]; do sleep 0.02; done; seq 1 %d; echo done; exec sleep 300"
                    min_uptime: 0s
                """.formatted(go, total), 16, Duration.ofMillis(200));
        awaitRunning("flood");
        try (RawHttp.Stream stream =
                RawHttp.open(socket, RawHttp.request("GET", "/api/processes/flood/logs?lines=0&follow=true", null))) {
            assertThat(stream.readLine()).startsWith(": following");
            Files.writeString(go, "");
            // Nobody reads the stream, yet the output thread records every line.
            Waits.until(
                    WAIT,
                    "flood's last line, done",
                    () -> control.logs("flood", 1).stream()
                            .anyMatch(e -> e.line().equals("done")),
                    () -> seen("flood"));

            Pattern dropped = Pattern.compile(": dropped (\\d+) lines");
            long delivered = 0, missed = 0;
            while (delivered + missed < total + 1) {
                String line = stream.readLine();
                assertThat(line).as("stream still open").isNotNull();
                Matcher m = dropped.matcher(line);
                if (m.matches()) {
                    missed += Long.parseLong(m.group(1));
                } else if (line.startsWith("data: ")) {
                    delivered++;
                }
            }
            assertThat(delivered + missed).isEqualTo(total + 1);
            assertThat(missed).isPositive();
        }
    }

    @Test
    void shutdownAnswersFirstThenStopsEverything() throws Exception {
        Path socket = serve(WEB);
        handler.setReady(true);
        awaitRunning("web");
        int pid = control.process("web").pid();
        RawHttp.Answer answer = RawHttp.post(socket, "/api/shutdown", null);
        assertThat(answer.status()).isEqualTo(202);
        assertThat(answer.json().get("status").asText()).isEqualTo("stopping");
        assertThat(shutdownRequested.await(20, TimeUnit.SECONDS)).isTrue();
        Waits.until(
                WAIT,
                "web's child to be gone",
                () -> !TestEngines.alive(pid),
                () -> Describe.process(pid) + "\n" + seen());
        assertThat(RawHttp.get(socket, "/ready").status()).isEqualTo(503);
    }

    @Test
    void errorsJettyAnswersItselfAreJsonToo() throws Exception {
        Path socket = serve(WEB);
        RawHttp.Answer answer =
                RawHttp.send(socket, "GET /api/processes/%zz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
        assertThat(answer.status()).isEqualTo(400);
        assertThat(answer.header("content-type")).startsWith("application/json");
        assertThat(answer.json().has("error")).isTrue();
    }

    @Test
    void unknownProcessErrorsKeepTheirStatusThroughTheApi() throws Exception {
        Path socket = serve(WEB);
        RawHttp.Answer answer = RawHttp.post(socket, "/api/processes/ghost/restart", null);
        assertThat(answer.status()).isEqualTo(404);
        assertThat(answer.json().get("error").asText()).isEqualTo("unknown process ghost (known: web)");
        assertThat(answer.json().get("detail").isNull()).isTrue();
        assertThat(ControlException.UNREACHABLE).isNegative();
    }
}
