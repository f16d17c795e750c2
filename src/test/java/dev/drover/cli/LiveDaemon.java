package dev.drover.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.drover.Describe;
import dev.drover.Waits;
import dev.drover.launch.ProcessRef;
import dev.drover.launch.Signals;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
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
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real daemon started with `up -d` in a test's directory, with its HTTP API on a loopback TCP
 * port (bearer token), and the bookkeeping to clean up after it: every daemon this object saw (a
 * test may kill one and start the next) is sent SIGCONT, asked to go `down`, and then everything
 * still carrying one of their markers is killed by PID and start time.
 */
final class LiveDaemon implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String TOKEN = "chaos-token-0123456789-abcdef";
    private static final Pattern SERVING =
            Pattern.compile("drover daemon (\\d+) serving .* and http://127\\.0\\.0\\.1:(\\d+) for");
    static final int SIGSTOP = 19;

    final Path dir;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    /** Every daemon seen, and the marker prefix of each, for the clean-up. */
    private final List<ProcessRef> daemons = new ArrayList<>();

    private final List<String> markers = new ArrayList<>();
    /** Children a test stopped with SIGSTOP: all get SIGCONT at the end, whatever happened. */
    private final Set<ProcessRef> stoppedChildren = ConcurrentHashMap.newKeySet();

    private final List<EventLog> streams = new ArrayList<>();
    private volatile ProcessRef daemon;
    private volatile String marker;
    private volatile String base;

    LiveDaemon(Path dir) {
        this.dir = dir;
    }

    /** Writes drover.yaml: the given processes section, plus a TCP API on a free loopback port. */
    void config(String processes) throws IOException {
        Path temp = dir.resolve("drover.yaml.tmp");
        Files.writeString(temp, processes + "api: {listen: \"127.0.0.1:0\", token: \"" + TOKEN + "\"}\n");
        Files.move(
                temp,
                dir.resolve("drover.yaml"),
                java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    /** Runs `up -d --timeout T` to its end and attaches to the daemon it started; returns the CLI run. */
    DroverProcess up(Duration timeout) throws Exception {
        DroverProcess up = DroverProcess.start(dir, "up", "-d", "--timeout", timeout.toSeconds() + "s");
        up.waitFor(timeout.plusSeconds(60));
        attach();
        return up;
    }

    /** Finds the daemon that now holds the runtime directory: its PID, marker and TCP port. */
    void attach() throws IOException {
        int pid = Integer.parseInt(
                Files.readString(dir.resolve(".drover/drover.pid")).trim());
        ProcessRef ref = ProcessRef.of(pid);
        assertThat(ref).as("daemon pid %d is alive", pid).isNotNull();
        String port = null;
        Matcher m = SERVING.matcher(Files.readString(dir.resolve(".drover/drover.log")));
        while (m.find()) {
            if (Integer.parseInt(m.group(1)) == pid) {
                port = m.group(2);
            }
        }
        assertThat(port).as("the log of daemon %d names its TCP port", pid).isNotNull();
        daemon = ref;
        marker = pid + "." + ref.startTime() + "-";
        base = "http://127.0.0.1:" + port;
        synchronized (daemons) {
            daemons.add(ref);
            markers.add(marker);
        }
    }

    ProcessRef daemon() {
        return daemon;
    }

    /** The DROVER_SPAWN_ID prefix of this daemon's children: "PID.starttime-". */
    String marker() {
        return marker;
    }

    /** The marker prefixes of every daemon seen so far, oldest first. */
    List<String> markers() {
        synchronized (daemons) {
            return List.copyOf(markers);
        }
    }

    void noteStopped(ProcessRef child) {
        stoppedChildren.add(child);
    }

    void noteContinued(ProcessRef child) {
        stoppedChildren.remove(child);
    }

    HttpResponse<String> call(String method, String path, Duration timeout) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(timeout)
                .header("Authorization", "Bearer " + TOKEN)
                .method(method, HttpRequest.BodyPublishers.noBody())
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    JsonNode get(String path) throws IOException, InterruptedException {
        HttpResponse<String> answer = call("GET", path, Duration.ofSeconds(20));
        if (answer.statusCode() != 200 && !(path.startsWith("/health") && answer.statusCode() == 503)) {
            throw new AssertionError("GET " + path + ": " + answer.statusCode() + " " + answer.body());
        }
        return JSON.readTree(answer.body());
    }

    /** The instances as /api/processes shows them. */
    List<JsonNode> processes() throws IOException, InterruptedException {
        List<JsonNode> list = new ArrayList<>();
        get("/api/processes").get("processes").forEach(list::add);
        return list;
    }

    JsonNode process(String id) throws IOException, InterruptedException {
        return get("/api/processes/" + id);
    }

    /**
     * For a wait that ran out: the daemon's process, every instance as GET /api/processes shows it
     * now (its JSON, one a line) or why the daemon did not answer within 5 s, and the end of the
     * daemon's log.
     */
    String describe() {
        StringBuilder text = new StringBuilder("daemon ")
                .append(daemon == null ? "(none attached)" : Describe.process(daemon))
                .append("\nGET /api/processes:\n");
        try {
            HttpResponse<String> answer = call("GET", "/api/processes", Duration.ofSeconds(5));
            if (answer.statusCode() == 200) {
                for (JsonNode p : JSON.readTree(answer.body()).get("processes")) {
                    text.append("  ").append(p).append('\n');
                }
            } else {
                text.append("  ")
                        .append(answer.statusCode())
                        .append(' ')
                        .append(answer.body())
                        .append('\n');
            }
        } catch (Exception | AssertionError e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            text.append("  (no answer: ").append(e).append(")\n");
        }
        return text + Describe.file(dir.resolve(".drover/drover.log"));
    }

    /** Subscribes to GET /api/events; the stream is read on a thread of its own until closed. */
    EventLog subscribe() throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/api/events"))
                .header("Authorization", "Bearer " + TOKEN)
                .build();
        HttpResponse<InputStream> stream = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        assertThat(stream.statusCode()).isEqualTo(200);
        EventLog log = new EventLog(stream.body());
        streams.add(log);
        return log;
    }

    /** Every `data:` event of one /api/events stream, and the `: dropped` notes. */
    static final class EventLog implements AutoCloseable {
        private final InputStream body;
        private final List<JsonNode> events = new ArrayList<>();
        private final List<String> dropped = new ArrayList<>();
        private final Thread reader;
        private volatile boolean ended;

        private EventLog(InputStream body) {
            this.body = body;
            this.reader = Thread.ofPlatform().daemon().name("events-reader").start(this::read);
        }

        private void read() {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    if (line.startsWith("data: ")) {
                        JsonNode event = JSON.readTree(line.substring(6));
                        synchronized (events) {
                            events.add(event);
                        }
                    } else if (line.startsWith(": dropped")) {
                        synchronized (events) {
                            dropped.add(line);
                        }
                    }
                }
            } catch (IOException e) {
                // closed
            } finally {
                ended = true;
            }
        }

        List<JsonNode> events() {
            synchronized (events) {
                return List.copyOf(events);
            }
        }

        List<String> dropped() {
            synchronized (events) {
                return List.copyOf(dropped);
            }
        }

        boolean ended() {
            return ended;
        }

        @Override
        public void close() {
            try {
                body.close();
            } catch (IOException e) {
                // closing anyway
            }
            reader.interrupt();
        }
    }

    /** Reads state.json: null when absent; throws when it is present but not complete JSON. */
    JsonNode stateFile() throws IOException {
        Path file = dir.resolve(".drover/state.json");
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (java.nio.file.NoSuchFileException e) {
            return null;
        }
        try {
            return JSON.readTree(bytes);
        } catch (IOException e) {
            throw new AssertionError(
                    "state.json is not valid JSON (" + bytes.length + " bytes): "
                            + new String(bytes, StandardCharsets.UTF_8),
                    e);
        }
    }

    /** SIGKILLs the daemon and waits until it is gone (its children stay: that is the point). */
    void killDaemon() {
        ProcessRef d = daemon;
        Signals.send(d, Signals.SIGCONT);
        assertThat(Signals.send(d, Signals.SIGKILL))
                .as("SIGKILL to daemon " + d.pid())
                .isTrue();
        Waits.until(
                Duration.ofSeconds(10),
                "the killed daemon to be gone",
                () -> !d.isAlive(),
                () -> "daemon " + Describe.process(d));
    }

    /** The whole clean-up: nothing stays stopped, the daemon goes down, and nothing any of its daemons started survives. */
    @Override
    public void close() throws Exception {
        streams.forEach(EventLog::close);
        stoppedChildren.forEach(ref -> Signals.send(ref, Signals.SIGCONT));
        List<ProcessRef> seen;
        List<String> prefixes;
        synchronized (daemons) {
            seen = List.copyOf(daemons);
            prefixes = List.copyOf(markers);
        }
        seen.forEach(ref -> Signals.send(ref, Signals.SIGCONT));
        ProcessRef current = daemon;
        if (current != null && current.isRunning()) {
            DroverProcess down = DroverProcess.start(dir, "down", "--timeout", "120s");
            try {
                down.waitFor(Duration.ofSeconds(150));
            } catch (AssertionError e) {
                System.err.println("drover down did not finish: " + e.getMessage());
                down.close();
            }
        }
        for (ProcessRef ref : seen) {
            if (ref.isRunning()) {
                Signals.send(ref, Signals.SIGTERM);
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (ref.isRunning() && System.nanoTime() < until) {
                    Thread.sleep(50); // clean-up of a daemon that did not go down: bounded, not a test condition
                }
                Signals.send(ref, Signals.SIGKILL);
            }
        }
        List<ProcessRef> left = new ArrayList<>();
        for (String prefix : prefixes) {
            for (ProcScan.Proc p : ProcScan.now().marked(prefix)) {
                left.add(p.ref());
                Signals.send(p.ref(), Signals.SIGCONT);
                Signals.send(p.ref(), Signals.SIGKILL);
            }
        }
        if (!left.isEmpty()) {
            System.err.println("clean-up killed " + left.size() + " processes left by the test's daemons: " + left);
            Waits.until(
                    Duration.ofSeconds(10),
                    "the killed leftovers to be gone",
                    () -> left.stream().noneMatch(ProcessRef::isRunning),
                    () -> Describe.processes(left));
        }
    }
}
