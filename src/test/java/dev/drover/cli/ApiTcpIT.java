package dev.drover.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.drover.Describe;
import dev.drover.Waits;
import dev.drover.launch.ProcessRef;
import dev.drover.launch.Signals;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP API on TCP, served by the real daemon: bearer tokens, the public health routes,
 * Prometheus metrics checked by promtool, the event stream, and restarts for a broken memory limit.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ApiTcpIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "s3cret-token-for-the-tcp-api";
    private static final String WRONG = "s3cret-token-for-the-tcp-apX"; // same length, last character differs
    private static final Pattern SERVING = Pattern.compile("and http://127\\.0\\.0\\.1:(\\d+) for");

    @TempDir
    Path dir;

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private String base;

    @AfterEach
    void stopEverything() throws Exception {
        if (Files.exists(dir.resolve(".drover/drover.sock"))) {
            DroverProcess.run(dir, "down");
        }
    }

    /** Writes the config (with a TCP API on a free port), starts the daemon and finds its port in its log. */
    private void up(String processes) throws Exception {
        Files.writeString(
                dir.resolve("drover.yaml"), processes + "api: {listen: \"127.0.0.1:0\", token: \"" + TOKEN + "\"}\n");
        DroverProcess up = DroverProcess.run(dir, "up", "-d");
        assertThat(up.exitCode()).as(up.text()).isZero();
        Matcher port = SERVING.matcher(Files.readString(dir.resolve(".drover/drover.log")));
        assertThat(port.find()).as("the daemon's log names its TCP port").isTrue();
        base = "http://127.0.0.1:" + port.group(1);
    }

    private HttpResponse<String> call(String method, String path, String token) throws Exception {
        HttpRequest.Builder request =
                HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        request.method(
                method,
                method.equals("POST")
                        ? HttpRequest.BodyPublishers.ofString("{\"signal\":\"TERM\"}")
                        : HttpRequest.BodyPublishers.noBody());
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode process(String id) throws Exception {
        HttpResponse<String> answer = call("GET", "/api/processes/" + id, TOKEN);
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        return JSON.readTree(answer.body());
    }

    /** For a wait that ran out: GET /api/processes as the daemon answers it now, and the end of its log. */
    private String seen() {
        String answer;
        try {
            HttpResponse<String> processes = call("GET", "/api/processes", TOKEN);
            answer = processes.statusCode() + " " + processes.body();
        } catch (Exception e) {
            answer = "(no answer: " + e + ")";
        }
        return "GET /api/processes: " + answer + "\n" + Describe.file(dir.resolve(".drover/drover.log"));
    }

    /** The same, after the drover_process_ samples of /metrics. */
    private String seenWithMetrics() {
        String samples;
        try {
            samples = String.join(
                    "\n",
                    metrics()
                            .lines()
                            .filter(l -> l.startsWith("drover_process_"))
                            .toList());
        } catch (Exception | AssertionError e) {
            samples = "(no metrics: " + e + ")";
        }
        return "drover_process_ samples of /metrics:\n" + samples + "\n" + seen();
    }

    private String metrics() throws Exception {
        HttpResponse<String> answer = call("GET", "/metrics", null);
        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.headers().firstValue("content-type"))
                .hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
        return answer.body();
    }

    /** The value of one sample line, e.g. {@code drover_process_restarts_total{process="a",replica="0"}}; -1 when absent. */
    private static double sample(String metrics, String name, String labels) {
        for (String line : metrics.split("\n")) {
            if (line.startsWith(name + "{")
                    && labelsMatch(line.substring(name.length() + 1, line.indexOf('}')), labels)) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return -1;
    }

    private static boolean labelsMatch(String present, String wanted) {
        for (String label : wanted.split(",")) {
            if (!("," + present + ",").contains("," + label + ",")) {
                return false;
            }
        }
        return true;
    }

    private static final String SLEEPER = """
            processes:
              a:
                command: "exec sleep 300"
                backoff: {initial: 200ms}
            """;

    @Test
    void anApiAddressInUseStopsTheDaemonBeforeAnythingStarted() throws Exception {
        // The API is served before the first spawn when it has a TCP address, so that an address in
        // use refuses the start with nothing started (without one it may come after the spawns).
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Files.writeString(
                    dir.resolve("drover.yaml"),
                    "processes:\n  marker: {command: \"touch started; exec sleep 600\"}\n"
                            + "api: {listen: \"127.0.0.1:" + taken.getLocalPort() + "\", token: \"" + TOKEN + "\"}\n");
            DroverProcess up = DroverProcess.run(dir, "up", "-d");
            assertThat(up.exitCode()).as(up.text()).isEqualTo(1);
            assertThat(up.text()).as(up.text()).contains("127.0.0.1:" + taken.getLocalPort());
            assertThat(dir.resolve("started"))
                    .as("the process must not have started; daemon log:%n%s", daemonLog())
                    .doesNotExist();
        }
    }

    private String daemonLog() throws Exception {
        Path log = dir.resolve(".drover/drover.log");
        return Files.exists(log) ? Files.readString(log) : "(no daemon log)";
    }

    @Test
    void everyApiRouteOnTcpNeedsTheTokenAndNothingChangesWithoutIt() throws Exception {
        up(SLEEPER);
        int pid = process("a").get("pid").asInt();
        List<String[]> routes = List.of(
                new String[] {"GET", "/api/processes"},
                new String[] {"GET", "/api/processes/a"},
                new String[] {"POST", "/api/processes/a/start"},
                new String[] {"POST", "/api/processes/a/stop"},
                new String[] {"POST", "/api/processes/a/restart"},
                new String[] {"POST", "/api/processes/a/signal"},
                new String[] {"GET", "/api/processes/a/logs"},
                new String[] {"GET", "/api/logs"},
                new String[] {"GET", "/api/events"},
                new String[] {"POST", "/api/reload"},
                new String[] {"POST", "/api/shutdown"},
                new String[] {"GET", "/api/no-such-route"},
                new String[] {"GET", "/api"});
        for (String[] route : routes) {
            for (String token : new String[] {null, WRONG, ""}) {
                HttpResponse<String> answer = call(route[0], route[1], token);
                assertThat(answer.statusCode())
                        .as(route[0] + " " + route[1] + " with token " + token)
                        .isEqualTo(401);
                assertThat(answer.headers().firstValue("www-authenticate"))
                        .hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
                assertThat(JSON.readTree(answer.body()).get("error").asText()).isNotBlank();
            }
        }
        HttpResponse<String> wrong = call("GET", "/api/processes", WRONG);
        assertThat(wrong.headers().firstValue("www-authenticate"))
                .hasValueSatisfying(v -> assertThat(v).contains("invalid_token"));

        // Nothing happened: same child, daemon still serving.
        JsonNode a = process("a");
        assertThat(a.get("pid").asInt()).isEqualTo(pid);
        assertThat(a.get("state").asText()).isEqualTo("running");
        assertThat(a.get("restartCount").asInt()).isZero();

        // The health routes and /metrics are public.
        for (String path : List.of("/health", "/health/detailed", "/ready", "/alive", "/metrics")) {
            assertThat(call("GET", path, null).statusCode()).as(path).isEqualTo(200);
        }
        JsonNode detailed = JSON.readTree(call("GET", "/health/detailed", null).body());
        assertThat(detailed.get("status").asText()).isEqualTo("healthy");
        assertThat(detailed.get("processes").get("total").asInt()).isEqualTo(1);
        assertThat(detailed.get("drover").get("pid").asLong())
                .isEqualTo(Long.parseLong(
                        Files.readString(dir.resolve(".drover/drover.pid")).trim()));
        assertThat(detailed.get("drover").get("heap").get("used").asLong()).isPositive();
        assertThat(detailed.get("drover").get("threads").get("live").asInt()).isPositive();
        assertThat(detailed.get("drover").get("uptime").asLong()).isNotNegative();

        // With the token, commands work.
        assertThat(call("POST", "/api/processes/a/stop", TOKEN).statusCode()).isEqualTo(202);
        Waits.until(
                Duration.ofSeconds(20),
                "a to stop",
                () -> process("a").get("state").asText().equals("stopped"),
                this::seen);
        assertThat(call("GET", "/health", null).statusCode())
                .as("a stopped process is not a failure")
                .isEqualTo(200);
        assertThat(call("POST", "/api/processes/a/start", TOKEN).statusCode()).isEqualTo(202);
        Waits.until(
                Duration.ofSeconds(20),
                "a to run",
                () -> process("a").get("state").asText().equals("running"),
                this::seen);
        int started = process("a").get("pid").asInt();
        assertThat(call("POST", "/api/processes/a/restart", TOKEN).statusCode()).isEqualTo(202);
        Waits.until(
                Duration.ofSeconds(20),
                "a to run again (not pid " + started + ")",
                () -> {
                    JsonNode now = process("a");
                    return now.get("state").asText().equals("running")
                            && now.get("pid").asInt() != started;
                },
                this::seen);
    }

    @Test
    void metricsPassPromtoolAndFollowRealStateChanges() throws Exception {
        up(SLEEPER + """
                  web:
                    command: "exec python3 -m http.server ${PORT} --bind 127.0.0.1"
                    port: auto
                    readiness: {http: "http://127.0.0.1:${PORT}/", interval: 200ms}
                """);
        Waits.until(
                Duration.ofSeconds(20),
                "drover_process_ready of web to be 1",
                () -> sample(metrics(), "drover_process_ready", "process=\"web\"") == 1,
                this::seenWithMetrics);
        String before = metrics();
        assertThat(sample(before, "drover_process_up", "process=\"a\",replica=\"0\""))
                .isEqualTo(1);
        assertThat(sample(before, "drover_process_restarts_total", "process=\"a\""))
                .isZero();
        assertThat(sample(before, "drover_api_requests_total", "method=\"GET\",route=\"/metrics\",status=\"200\""))
                .isPositive();
        assertThat(before)
                .contains("jvm_threads_current", "jvm_memory_used_bytes", "drover_api_request_duration_seconds_bucket");
        promtool(before);

        ProcessRef child = ProcessRef.of(process("a").get("pid").asInt());
        assertThat(Signals.send(child, Signals.SIGKILL)).isTrue();
        Waits.until(
                Duration.ofSeconds(20),
                "drover_process_restarts_total of a to be 1",
                () -> sample(metrics(), "drover_process_restarts_total", "process=\"a\"") == 1,
                this::seenWithMetrics);
        String after = metrics();
        assertThat(sample(after, "drover_process_exits_total", "process=\"a\",reason=\"signal\""))
                .isEqualTo(1);
        Waits.until(
                Duration.ofSeconds(20),
                "drover_process_up of a to be 1",
                () -> sample(metrics(), "drover_process_up", "process=\"a\"") == 1,
                this::seenWithMetrics);
        // Resource figures appear once the sampler has measured the processes.
        Waits.until(
                Duration.ofSeconds(20),
                "drover_process_resident_memory_bytes of web above 1 MB",
                () -> sample(metrics(), "drover_process_resident_memory_bytes", "process=\"web\"") > 1_000_000,
                this::seenWithMetrics);

        assertThat(call("POST", "/api/processes/a/stop", TOKEN).statusCode()).isEqualTo(202);
        // `up` drops to 0 as the stop begins; the exit is counted once the stop has finished.
        Waits.until(
                Duration.ofSeconds(20),
                "the stop of a counted (exits_total reason stopped 1) and its up 0",
                () -> {
                    String now = metrics();
                    return sample(now, "drover_process_exits_total", "process=\"a\",reason=\"stopped\"") == 1
                            && sample(now, "drover_process_up", "process=\"a\"") == 0;
                },
                this::seenWithMetrics);
        promtool(metrics());
    }

    private void promtool(String metrics) throws Exception {
        Path file = Files.writeString(dir.resolve("metrics.txt"), metrics);
        Process check;
        try {
            check = new ProcessBuilder("promtool", "check", "metrics")
                    .redirectInput(file.toFile())
                    .redirectErrorStream(true)
                    .start();
        } catch (java.io.IOException e) {
            throw new AssertionError(
                    "promtool is needed for this test (Debian: apt-get install -y prometheus; .ci/run installs it)", e);
        }
        String output = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(check.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(check.exitValue()).as("promtool check metrics:\n" + output).isZero();
    }

    @Test
    void theEventStreamShowsACrashAndTheRestartInOrder() throws Exception {
        up(SLEEPER);
        int pid = process("a").get("pid").asInt();
        List<JsonNode> events = new ArrayList<>();
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/api/events"))
                .header("Authorization", "Bearer " + TOKEN)
                .build();
        HttpResponse<InputStream> stream = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        assertThat(stream.statusCode()).isEqualTo(200);
        assertThat(stream.headers().firstValue("content-type"))
                .hasValueSatisfying(t -> assertThat(t).startsWith("text/event-stream"));
        Thread reader = Thread.ofVirtual().start(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    if (line.startsWith("data: ")) {
                        JsonNode event = JSON.readTree(line.substring(6));
                        synchronized (events) {
                            events.add(event);
                        }
                    }
                }
            } catch (Exception e) {
                // closed at the end of the test
            }
        });
        // The daemon subscribes before it sends the headers, so nothing after this point is missed.
        assertThat(Signals.send(ProcessRef.of(pid), Signals.SIGKILL)).isTrue();
        Waits.until(
                Duration.ofSeconds(20),
                "an event of a running again (not pid " + pid + ")",
                () -> {
                    synchronized (events) {
                        return events.stream()
                                .anyMatch(e -> e.get("state").asText().equals("running")
                                        && e.get("pid").asInt() != pid);
                    }
                },
                () -> {
                    List<JsonNode> seenEvents;
                    synchronized (events) {
                        seenEvents = List.copyOf(events);
                    }
                    return "events: " + seenEvents + "\n" + seen();
                });
        List<String> states = new ArrayList<>();
        long lastTime = 0;
        synchronized (events) {
            for (JsonNode e : events) {
                assertThat(e.get("process").asText()).isEqualTo("a");
                assertThat(e.get("time").asLong()).isGreaterThanOrEqualTo(lastTime);
                lastTime = e.get("time").asLong();
                states.add(
                        e.get("previousState").asText() + "->" + e.get("state").asText());
            }
            JsonNode crash = events.getFirst();
            assertThat(crash.get("reason").asText()).contains("killed by SIGKILL");
            assertThat(crash.get("restartCount").asInt()).isEqualTo(1);
        }
        assertThat(states).containsExactly("running->backoff", "backoff->starting", "starting->running");
        reader.interrupt();
        stream.body().close();
    }

    @Test
    void readyAnswers503WhileShuttingDown() throws Exception {
        up("""
                processes:
                  slow:
                    command: "trap 'exec sleep 3' TERM; while :; do sleep 0.1; done"
                    stop_timeout: 20s
                """);
        // `up -d` returns once healthy; the daemon's own readiness (READY=1, /ready) follows within
        // its 50 ms look.
        Waits.until(
                Duration.ofSeconds(20),
                "/ready to answer 200",
                () -> call("GET", "/ready", null).statusCode() == 200,
                this::seen);
        ProcessRef daemon = ProcessRef.of(Integer.parseInt(
                Files.readString(dir.resolve(".drover/drover.pid")).trim()));
        assertThat(call("POST", "/api/shutdown", TOKEN).statusCode()).isEqualTo(202);
        // While `slow` takes its 3 s to stop, the daemon still answers, and says it is not ready.
        HttpResponse<String> ready = call("GET", "/ready", null);
        assertThat(ready.statusCode()).isEqualTo(503);
        assertThat(JSON.readTree(ready.body()).get("status").asText()).isEqualTo("not_ready");
        assertThat(call("GET", "/alive", null).statusCode()).isEqualTo(200);
        Waits.until(
                Duration.ofSeconds(30),
                "the daemon to exit",
                () -> !daemon.isAlive(),
                () -> "daemon " + Describe.process(daemon) + "\n" + seen());
    }

    @Test
    void aProcessThatAllocatesPastItsMemoryLimitIsRestartedWithThatReason() throws Exception {
        up("""
                processes:
                  hog:
                    command: ["python3", "-c", "import time\\nx = bytearray(96 * 1024 * 1024)\\nfor i in range(0, len(x), 4096): x[i] = 1\\nprint('allocated', flush=True)\\ntime.sleep(300)"]
                    limits: {memory: 48MB}
                    backoff: {initial: 500ms}
                  small:
                    command: "exec sleep 300"
                    limits: {memory: 48MB}
                """);
        // The reason is shown until the next spawn (after 500 ms of backoff); the last end stays.
        Waits.until(
                Duration.ofSeconds(40),
                "hog to be restarted",
                () -> process("hog").get("restartCount").asInt() >= 1,
                this::seen);
        JsonNode hog = process("hog");
        assertThat(hog.get("lastEnd").toString())
                .as("hog's last end: " + hog)
                .contains("memory_limit")
                .contains("over the limit of 48.0 MiB");
        assertThat(sample(metrics(), "drover_process_exits_total", "process=\"hog\",reason=\"memory_limit\""))
                .isGreaterThanOrEqualTo(1);
        JsonNode small = process("small");
        assertThat(small.get("restartCount").asInt())
                .as("a process within its limit is left alone")
                .isZero();
        assertThat(small.get("memory").asLong()).isPositive().isLessThan(48L << 20);
        // `ps` shows the measured memory of each running process.
        DroverProcess ps = DroverProcess.run(dir, "ps");
        assertThat(ps.text()).containsPattern("(?m)^small\\s+running\\s.*\\d[KMG]\\s");
    }
}
