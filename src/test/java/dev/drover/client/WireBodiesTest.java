package dev.drover.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.drover.api.ApiHandler;
import dev.drover.api.ApiServer;
import dev.drover.api.TestEngines;
import dev.drover.control.ControlException;
import dev.drover.control.HealthReport;
import dev.drover.control.ProcessInfo;
import dev.drover.engine.Engine;
import dev.drover.engine.EngineControl;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The short commands read processes, health and errors without Jackson; what they read must be
 * what Jackson read before, field for field. Checked on the bodies of a live API over a real Unix
 * socket, with processes in every state `ps` has words for, and on hand-made edge cases.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WireBodiesTest {
    /** The mapper the client used before (WireJson's): unknown fields ignored. */
    private static final ObjectMapper JACKSON =
            new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /** The shape of /health, as the client read it with Jackson. */
    record Health(String status, Counts processes) {
        record Counts(int total, int running, int ready, List<ProcessInfo> details) {}

        HealthReport report() {
            Counts counts = processes == null ? new Counts(0, 0, 0, List.of()) : processes;
            return new HealthReport(
                    status,
                    counts.total(),
                    counts.running(),
                    counts.ready(),
                    counts.details() == null ? List.of() : counts.details());
        }
    }

    record ProcessList(List<ProcessInfo> processes) {}

    private static final String EVERY_STATE = """
            processes:
              web:
                command: "exec sleep 300"
                port: auto
                replicas: 2
                min_uptime: 0s
              sick:
                command: "exec sleep 300"
                min_uptime: 0s
                readiness: {exec: "echo 'not yet \\"ready\\" ü' >&2; false", interval: 100ms}
              crash:
                command: "echo 'boom: tab\\there' >&2; exit 3"
                restart: always
                backoff: {initial: 30s, max: 30s}
              once:
                command: "true"
                restart: "no"
              waits:
                command: "exec sleep 300"
                depends_on: {crash: {condition: healthy}}
              fails:
                command: "exit 2"
                restart: "no"
              stuck:
                command: "exec sleep 300"
                depends_on: {fails: {condition: completed}}
              off:
                command: "exec sleep 300"
                enabled: false
              nightly:
                command: "true"
                restart: "no"
                schedule: "30 2 * * *"
                timezone: UTC
              said:
                command: [python3, -c, "import os, socket, time; s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.sendto('READY=1\\\\nSTATUS=3 \\"jobs\\" ü\\\\nMAINPID=1'.encode(), os.environ['NOTIFY_SOCKET']); time.sleep(300)"]
                notify: true
            """;

    @TempDir
    Path dir;

    private TestEngines engines;
    private ApiServer server;

    @AfterEach
    void stopEverything() {
        try {
            if (server != null) {
                server.stop();
            }
        } finally {
            if (engines != null) {
                engines.close();
            }
        }
    }

    @Test
    void liveBodiesReadAsJacksonReadThem() throws Exception {
        engines = new TestEngines(dir);
        Engine engine = engines.start(EVERY_STATE);
        EngineControl local = new EngineControl(engine, force -> engine.shutdown());
        server = ApiServer.start(local, new ApiHandler(local), dir.resolve("drover.sock"));
        UnixHttpClient http = new UnixHttpClient(server.socket(), Duration.ofSeconds(10));
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            List<ProcessInfo> all = WireBodies.processList(
                    http.send("GET", "/api/processes", null).body());
            return states(all).containsAll(List.of("running", "backoff", "exited", "stopped"))
                    && all.stream().anyMatch(p -> p.waitingFor() != null && !p.blocked())
                    && all.stream().anyMatch(ProcessInfo::blocked)
                    && all.stream().anyMatch(p -> !p.lastOutput().isEmpty())
                    && all.stream().anyMatch(p -> p.cpu() != null && p.memory() != null)
                    && all.stream()
                            .anyMatch(p -> p.sdNotify() != null && p.sdNotify().status() != null);
        });

        byte[] list = http.send("GET", "/api/processes", null).body();
        List<ProcessInfo> lean = WireBodies.processList(list);
        assertThat(lean).hasSize(11);
        assertThat(lean).anySatisfy(p -> assertThat(p.schedule()).isNotNull());
        assertThat(lean)
                .anySatisfy(p -> assertThat(p.sdNotify())
                        .isEqualTo(new dev.drover.control.NotifyInfo("3 \"jobs\" ü", 1, false, 0)));
        assertThat(lean).isEqualTo(JACKSON.readValue(list, ProcessList.class).processes());
        assertThat(lean).anySatisfy(p -> assertThat(p.lastEnd()).isNotNull());
        assertThat(lean).anySatisfy(p -> assertThat(p.port()).isNotNull());

        UnixHttpClient.Reply health = http.send("GET", "/health", null);
        assertThat(health.status()).isEqualTo(503);
        assertThat(WireBodies.health(health.body()))
                .isEqualTo(JACKSON.readValue(health.body(), Health.class).report());

        for (String action : List.of("start", "restart", "stop")) {
            byte[] one =
                    http.send("POST", "/api/processes/web.1/" + action, null).body();
            assertThat(WireBodies.process(one)).isEqualTo(JACKSON.readValue(one, ProcessInfo.class));
        }

        UnixHttpClient.Reply unknown = http.send("GET", "/api/processes/nope", null);
        assertThat(unknown.status()).isEqualTo(404);
        assertSameError(unknown.status(), unknown.body());
        UnixHttpClient.Reply badSignal =
                http.send("POST", "/api/processes/web.0/signal", WireBodies.signalRequest("NOT-A-SIGNAL \"\\"));
        assertThat(badSignal.status()).isEqualTo(400);
        assertSameError(badSignal.status(), badSignal.body());
    }

    @Test
    void escapesNumbersAndUnknownFieldsReadAsJacksonReadThem() throws Exception {
        String body = """
                {"processes":[{"id":"a\\"b\\\\c\\/d\\u00e9\\ud83d\\ude00\\n","name":"a","replica":0,"state":"backoff",
                 "health":"unknown","pid":0,"startTime":1733300000000,"uptime":-12,"restartCount":7,
                 "healthCheckFailures":2,"lastHealthCheck":null,"port":8080,"cpu":0,"memory":123456789012345678,
                 "reason":"exit 3","waitingFor":null,"lastEnd":{"kind":"failure","exitCode":3,"signal":null,
                 "forced":false,"detail":"ünïcode\\t"},"failedStarts":2,"nextStartTime":1.7333e12,
                 "lastOutput":["x","",  "y"],"role":"surge","heldOutOfRotation":true,
                 "future":{"nested":[1,-12,99999999999999999999,2.5e-3,true,null,{"k":"v"}]}},
                 {"id":"b","name":"b","state":"running","health":"ready","cpu":12.75,
                  "memory":9223372036854775807}],"more":1}
                """;
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        assertThat(WireBodies.processList(bytes))
                .isEqualTo(JACKSON.readValue(bytes, ProcessList.class).processes());
    }

    @Test
    void errorsReadAsJacksonReadThem() {
        for (String body : List.of(
                "{\"error\":\"unknown process x\",\"detail\":null}",
                "{\"error\":\"invalid\",\"detail\":[\"a.yaml:1:2: bad\",\"second\"]}",
                "{\"error\":\"odd\",\"detail\":\"one\"}",
                "{\"error\":\"odd\",\"detail\":[1,{\"a\":[true,null]}]}",
                "{\"message\":\"no error field\"}",
                "not json at all",
                "",
                "[1,2]")) {
            assertSameError(500, body.getBytes(StandardCharsets.UTF_8));
        }
    }

    @Test
    void aBodyThatIsNotTheExpectedShapeIsABadGateway() {
        for (String body :
                List.of("{\"processes\":[{\"pid\":\"x\"}]}", "{\"processes\":", "nope", "{\"processes\":7}")) {
            assertThatExceptionOfType(ControlException.class)
                    .isThrownBy(() -> WireBodies.processList(body.getBytes(StandardCharsets.UTF_8)))
                    .satisfies(e -> assertThat(e.status()).isEqualTo(502))
                    .withMessageStartingWith("the drover daemon sent a body this client cannot read: ");
        }
    }

    private static void assertSameError(int status, byte[] body) {
        ControlException lean = WireBodies.error(status, body);
        ControlException jackson = jacksonError(status, body);
        assertThat(lean.status()).isEqualTo(jackson.status());
        assertThat(lean.getMessage()).isEqualTo(jackson.getMessage());
        assertThat(lean.details()).isEqualTo(jackson.details());
    }

    /** The client's error reading before, with Jackson's tree. */
    private static ControlException jacksonError(int status, byte[] body) {
        try {
            JsonNode node = JACKSON.readTree(body);
            if (node != null && node.path("error").isTextual()) {
                List<String> details = new ArrayList<>();
                JsonNode detail = node.get("detail");
                if (detail != null && !detail.isNull() && !detail.isMissingNode()) {
                    if (detail.isArray()) {
                        detail.forEach(item -> details.add(item.isTextual() ? item.asText() : item.toString()));
                    } else {
                        details.add(detail.isTextual() ? detail.asText() : detail.toString());
                    }
                }
                return new ControlException(status, node.get("error").asText(), details);
            }
        } catch (java.io.IOException e) {
            // not JSON
        }
        String text = new String(body, StandardCharsets.UTF_8).strip();
        return new ControlException(
                status, "the drover daemon answered " + status + (text.isEmpty() ? "" : ": " + text));
    }

    private static List<String> states(List<ProcessInfo> processes) {
        return processes.stream().map(ProcessInfo::state).toList();
    }
}
