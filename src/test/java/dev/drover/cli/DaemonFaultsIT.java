package dev.drover.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drover.Awaits;
import dev.drover.Describe;
import dev.drover.Waits;
import dev.drover.launch.ProcessRef;
import dev.drover.launch.Signals;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Faults of the daemon itself, on the real jar: SIGKILL in the middle of a restart storm and of a
 * reload, SIGKILL at random moments while the state file is rewritten many times a second, and
 * SIGSTOP for 10 s. After a kill the next `up -d` must leave nothing duplicated (one live instance
 * per process instance) and nothing of the dead daemon running, and state.json must always be
 * absent or complete JSON.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class DaemonFaultsIT {
    @TempDir
    Path dir;

    private LiveDaemon live;

    @AfterEach
    void cleanUp() throws Exception {
        if (live != null) {
            live.close(); // SIGCONT to every daemon and child we stopped, `down`, then anything still marked is killed
        }
    }

    /**
     * Processes that never stop by themselves, and storms: crashing in a loop with no backoff and no
     * restart limit. The crashers count as ready while they run (min_uptime 0s), so that `up -d` returns.
     */
    private static final String STORM = """
            processes:
              stable: {command: "exec sleep 3600", restart: always}
              stable-rep: {command: "exec sleep 3600", replicas: 2}
              stable-tree: {command: "sleep 3600 & exec sleep 3600"}
              crash-slow: {command: "sleep 0.2; exit 1", restart: always, backoff: {initial: 0s}, max_restarts: 0, min_uptime: 0s}
              crash-rep: {command: "sleep 0.3; exit 2", replicas: 2, restart: on-failure, backoff: {initial: 0s}, max_restarts: 0, min_uptime: 0s}
              crash-fast: {command: "exit 1", restart: always, backoff: {initial: 0s}, max_restarts: 0, min_uptime: 0s, enabled: false}
            """;
    /** Instances that must have exactly one live copy once a daemon is up; crashers have at most one. */
    private static final List<String> STABLE = List.of("stable.0", "stable-rep.0", "stable-rep.1", "stable-tree.0");

    private static final List<String> CRASHERS = List.of("crash-slow.0", "crash-rep.0", "crash-rep.1", "crash-fast.0");

    private void up() throws Exception {
        DroverProcess up = live.up(Duration.ofSeconds(90));
        assertThat(up.exitCode()).as("up -d:\n" + up.text()).isZero();
    }

    private int restarts(String id) throws Exception {
        return live.process(id).get("restartCount").asInt();
    }

    // ------------------------------------------------------------------ (a) killed in a restart storm

    @Test
    void killedInARestartStormTheNextDaemonLeavesNothingDuplicatedOrOrphaned() throws Exception {
        live = new LiveDaemon(dir);
        live.config(STORM);
        up();
        assertThat(live.call("POST", "/api/processes/crash-fast/start", Duration.ofSeconds(20))
                        .statusCode())
                .isEqualTo(202);
        Waits.until(
                Duration.ofSeconds(60),
                "a restart storm",
                () -> restarts("crash-fast") >= 50 && restarts("crash-slow") >= 5,
                live::describe);
        String oldMarker = live.marker();
        List<ProcessRef> oldStable = stablePids();

        live.killDaemon();
        JsonNode state = live.stateFile();
        assertThat(state).as("state.json after SIGKILL").isNotNull();
        assertThat(state.get("daemon").get("markerPrefix").asText()).isEqualTo(oldMarker);
        assertThat(oldStable).as("children outlive a killed daemon").allMatch(ProcessRef::isRunning);

        up();
        assertNothingLeftOf(oldMarker);
        assertThat(oldStable).noneMatch(ProcessRef::isRunning);
        assertOneInstanceEach();
        assertThat(live.stateFile().get("daemon").get("markerPrefix").asText()).isEqualTo(live.marker());
        assertThat(Files.readString(dir.resolve(".drover/drover.log")))
                .contains("left running by an earlier daemon (pid " + oldMarker.substring(0, oldMarker.indexOf('.')));
    }

    // ------------------------------------------------------------------ (a) killed in a reload

    /** A chain top → mid → base whose members take about a second to stop, so a reload of all three takes some 3 s, plus a storm. */
    private static String reloadConfig(int generation) {
        String slow = "\"trap 'exec sleep 1' TERM; while :; do sleep 0.1; done\"";
        return """
                processes:
                  base: {command: %s, env: {GEN: "%d"}}
                  mid: {command: %s, env: {GEN: "%d"}, depends_on: [base]}
                  top: {command: %s, env: {GEN: "%d"}, depends_on: [mid]}
                  side: {command: "exec sleep 3600"}
                  crash-slow: {command: "sleep 0.2; exit 1", restart: always, backoff: {initial: 0s}, max_restarts: 0, min_uptime: 0s}
                """.formatted(slow, generation, slow, generation, slow, generation);
    }

    @Test
    @Timeout(value = 420, unit = TimeUnit.SECONDS)
    void killedInAReloadTheNextDaemonLeavesNothingDuplicatedOrOrphaned() throws Exception {
        live = new LiveDaemon(dir);
        live.config(reloadConfig(0));
        up();
        // Four moments of the reload: while it stops top, mid, base, and once it has started the new ones.
        List<String> moments = List.of("top stopping", "mid stopping", "base stopping", "new top started");
        for (int round = 0; round < moments.size(); round++) {
            String moment = moments.get(round);
            Map<String, Integer> before = new HashMap<>();
            for (String id : List.of("base", "mid", "top", "side")) {
                before.put(id, live.process(id).get("pid").asInt());
            }
            String oldMarker = live.marker();
            live.config(reloadConfig(round + 1));
            // The moments are seen on the event stream: a stop can be over before a poll of the API would notice it.
            LiveDaemon.EventLog events = live.subscribe();
            AtomicReference<Object> reloadAnswer = new AtomicReference<>();
            Thread reload = Thread.ofVirtual().start(() -> {
                try {
                    HttpResponse<String> answer = live.call("POST", "/api/reload", Duration.ofSeconds(60));
                    reloadAnswer.set(answer.statusCode() + " " + answer.body());
                } catch (Exception e) {
                    reloadAnswer.set(e); // the daemon died under it
                }
            });
            Awaits.until(
                    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(2)),
                    "the moment " + moment + " on the event stream",
                    () -> events.events().stream().anyMatch(e -> switch (moment) {
                        case "top stopping" ->
                            e.get("process").asText().equals("top")
                                    && e.get("state").asText().equals("stopping");
                        case "mid stopping" ->
                            e.get("process").asText().equals("mid")
                                    && e.get("state").asText().equals("stopping");
                        case "base stopping" ->
                            e.get("process").asText().equals("base")
                                    && e.get("state").asText().equals("stopping");
                        default ->
                            e.get("process").asText().equals("top")
                                    && e.get("state").asText().equals("running")
                                    && e.get("pid").asInt() != before.get("top");
                    }),
                    () -> "events: " + events.events() + "\nthe reload's answer so far: " + reloadAnswer.get() + "\n"
                            + live.describe());
            live.killDaemon();
            events.close();
            reload.join(TimeUnit.SECONDS.toMillis(70));
            System.out.println("[faults] round " + round + ": killed the daemon at '" + moment
                    + "'; the reload request ended with " + reloadAnswer.get());
            JsonNode state = live.stateFile();
            assertThat(state).as("state.json after SIGKILL at " + moment).isNotNull();

            up();
            assertNothingLeftOf(oldMarker);
            Map<String, Set<String>> alive = aliveInstances();
            for (String instance : List.of("base.0", "mid.0", "top.0", "side.0")) {
                assertThat(alive.get(instance))
                        .as("live copies of " + instance + " after the kill at " + moment + ": " + alive)
                        .hasSize(1);
                assertThat(alive.get(instance).iterator().next()).startsWith(live.marker());
            }
            assertThat(alive.getOrDefault("crash-slow.0", Set.of()))
                    .as("copies of crash-slow")
                    .hasSizeLessThanOrEqualTo(1);
            for (String id : List.of("base", "mid", "top", "side")) {
                JsonNode p = live.process(id);
                assertThat(p.get("state").asText()).as(id).isEqualTo("running");
                assertThat(ProcessRef.of(p.get("pid").asInt())).isNotNull();
            }
            assertThat(live.stateFile().get("daemon").get("markerPrefix").asText())
                    .isEqualTo(live.marker());
        }
    }

    // ------------------------------------------------------------------ (b) killed while writing the state file

    @Test
    @Timeout(value = 900, unit = TimeUnit.SECONDS)
    void theStateFileIsAbsentOrCompleteJsonWheneverTheDaemonIsKilled() throws Exception {
        live = new LiveDaemon(dir);
        live.config(STORM);
        Random random = new Random();
        int iterations = Integer.getInteger("drover.faults.iterations", 20);
        int sawTempFile = 0;
        StateFileWatcher watcher = new StateFileWatcher(dir.resolve(".drover/state.json"));
        try {
            for (int i = 0; i < iterations; i++) {
                String previous = live.markers().isEmpty() ? null : live.marker();
                up();
                if (previous != null) {
                    assertNothingLeftOf(previous);
                }
                assertOneInstanceEach();
                assertThat(live.call("POST", "/api/processes/crash-fast/start", Duration.ofSeconds(20))
                                .statusCode())
                        .isEqualTo(202);
                // A random moment of the storm: once crash-fast has restarted a random number of times.
                int target = 1 + random.nextInt(150);
                Awaits.until(
                        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(10)),
                        "crash-fast restarted " + target + " times",
                        () -> restarts("crash-fast") >= target,
                        live::describe);
                live.killDaemon();
                JsonNode state = live.stateFile(); // throws when it is present but not complete JSON
                if (state != null) {
                    assertThat(state.get("daemon").get("markerPrefix").asText()).isEqualTo(live.marker());
                    assertThat(state.get("children").isArray()).isTrue();
                    for (JsonNode child : state.get("children")) {
                        assertThat(child.get("pid").asInt()).isPositive();
                        assertThat(child.get("name").asText()).isNotBlank();
                    }
                }
                if (Files.exists(dir.resolve(".drover/state.json.new"))) {
                    sawTempFile++;
                }
                System.out.println(
                        "[faults] iteration " + i + ": killed after " + target + " restarts of crash-fast; state.json "
                                + (state == null
                                        ? "absent"
                                        : "valid, " + state.get("children").size() + " children") + "; watcher so far: "
                                + watcher);
            }
        } finally {
            watcher.close();
        }
        System.out.println("[faults] " + iterations + " kills; a state.json.new was left behind " + sawTempFile
                + " times (a kill landed inside a write); the watcher read state.json " + watcher);
        assertThat(watcher.broken())
                .as("reads of state.json that were not complete JSON")
                .isEmpty();
        assertThat(watcher.versions())
                .as("versions of state.json the watcher saw (the storm rewrites it)")
                .isGreaterThan(iterations);
        String last = live.marker();
        up();
        assertNothingLeftOf(last);
        assertOneInstanceEach();
    }

    /**
     * Reads state.json over and over on a thread of its own while the daemons write it: every read
     * must be absent or complete JSON. Counts the versions it saw by inode (each rename is a new
     * one).
     */
    private static final class StateFileWatcher implements AutoCloseable {
        private final Path file;
        private final Thread thread;
        private final List<String> broken = new java.util.concurrent.CopyOnWriteArrayList<>();
        private volatile boolean stop;
        private volatile long reads, absent, versions;

        StateFileWatcher(Path file) {
            this.file = file;
            this.thread =
                    Thread.ofPlatform().name("state-file-watcher").daemon().start(this::watch);
        }

        private void watch() {
            Object lastInode = null;
            while (!stop) {
                try {
                    Object inode = Files.getAttribute(file, "unix:ino");
                    byte[] bytes = Files.readAllBytes(file);
                    reads++;
                    if (!inode.equals(lastInode)) {
                        versions++;
                        lastInode = inode;
                    }
                    try {
                        LiveDaemon.JSON
                                .readTree(bytes)
                                .get("daemon")
                                .get("markerPrefix")
                                .asText();
                    } catch (Exception e) {
                        broken.add(
                                bytes.length + " bytes: " + new String(bytes, java.nio.charset.StandardCharsets.UTF_8));
                    }
                } catch (java.nio.file.NoSuchFileException e) {
                    absent++;
                } catch (java.io.IOException e) {
                    broken.add("read failed: " + e);
                }
                // Pacing of the reader (not a wait for a condition): about a thousand reads a second.
                java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
            }
        }

        List<String> broken() {
            return List.copyOf(broken);
        }

        long versions() {
            return versions;
        }

        @Override
        public void close() throws InterruptedException {
            stop = true;
            thread.join(5000);
        }

        @Override
        public String toString() {
            return reads + " times (" + versions + " versions, absent " + absent + " times, " + broken.size()
                    + " not complete JSON)";
        }
    }

    // ------------------------------------------------------------------ (c) SIGSTOP for 10 s

    @Test
    void stoppedForTenSecondsTheChildrenKeepRunningAndAfterSigcontItCatchesUp() throws Exception {
        live = new LiveDaemon(dir);
        live.config("""
                processes:
                  steady: {command: "exec sleep 3600", restart: always}
                  looper: {command: "while :; do sleep 0.2; done", readiness: {exec: "true", interval: 300ms}}
                  web:
                    command: "exec python3 -m http.server ${PORT} --bind 127.0.0.1"
                    port: auto
                    readiness: {http: "http://127.0.0.1:${PORT}/", interval: 300ms}
                    liveness: {tcp: "127.0.0.1:${PORT}", interval: 500ms}
                  victim: {command: "exec sleep 3600", backoff: {initial: 100ms}}
                """);
        up();
        Map<String, ProcessRef> children = new TreeMap<>();
        for (JsonNode p : live.processes()) {
            ProcessRef ref = ProcessRef.of(p.get("pid").asInt());
            assertThat(ref).isNotNull();
            children.put(p.get("id").asText(), ref);
        }
        ProcessRef daemon = live.daemon();
        ProcessRef victim = children.get("victim");
        List<ProcessRef> others = children.entrySet().stream()
                .filter(e -> !e.getKey().equals("victim"))
                .map(Map.Entry::getValue)
                .toList();

        live.noteStopped(daemon);
        assertThat(Signals.send(daemon, LiveDaemon.SIGSTOP)).isTrue();
        Waits.until(
                Duration.ofSeconds(5),
                "the daemon is stopped",
                () -> ProcScan.state(daemon.pid()) == 'T',
                () -> "daemon " + Describe.process(daemon));
        assertThatThrownBy(() -> live.call("GET", "/alive", Duration.ofSeconds(2)))
                .as("a stopped daemon does not answer")
                .isInstanceOf(java.net.http.HttpTimeoutException.class);
        assertThat(Signals.send(victim, Signals.SIGKILL)).isTrue();
        // The daemon stays stopped for 10 s; all that time the other children run on, same PIDs.
        Awaits.until(
                await().during(Duration.ofSeconds(10)).atMost(Duration.ofSeconds(15)),
                "children run on while the daemon is stopped",
                () -> others.stream().allMatch(ProcessRef::isRunning) && ProcScan.state(daemon.pid()) == 'T',
                () -> "daemon " + Describe.process(daemon) + "\nthe others:\n" + Describe.processes(others));
        assertThat(ProcScan.state(victim.pid()))
                .as("the killed child waits, unreaped, for its stopped parent")
                .isEqualTo('Z');

        assertThat(Signals.send(daemon, Signals.SIGCONT)).isTrue();
        live.noteContinued(daemon);
        Awaits.until(
                await().atMost(Duration.ofSeconds(20)).ignoreExceptions(),
                "the API answers again",
                () -> live.call("GET", "/alive", Duration.ofSeconds(2)).statusCode() == 200,
                live::describe);
        Waits.until(
                Duration.ofSeconds(20),
                "the child killed during the stop is restarted",
                () -> {
                    JsonNode v = live.process("victim");
                    return v.get("state").asText().equals("running")
                            && v.get("pid").asInt() > 0
                            && v.get("pid").asInt() != victim.pid();
                },
                live::describe);
        assertThat(live.process("victim").get("restartCount").asInt()).isEqualTo(1);
        Waits.until(
                Duration.ofSeconds(5),
                "the killed child is reaped",
                () -> !victim.isAlive(),
                () -> "victim " + Describe.process(victim) + "\n" + live.describe());
        // The others were not touched: same PIDs, no restart, and they stay so (no probe misfires after the pause).
        Awaits.until(
                await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(20)),
                "the others keep their PIDs and stay ready",
                () -> {
                    for (Map.Entry<String, ProcessRef> e : children.entrySet()) {
                        if (e.getKey().equals("victim")) {
                            continue;
                        }
                        JsonNode p = live.process(e.getKey());
                        if (p.get("pid").asInt() != e.getValue().pid()
                                || !p.get("state").asText().equals("running")
                                || !p.get("health").asText().equals("ready")
                                || p.get("restartCount").asInt() != 0) {
                            return false;
                        }
                    }
                    return true;
                },
                () -> "the children before the stop: " + children + "\n" + live.describe());
        // A readiness probe's exec child is a zombie for the moment until the reaper takes it.
        Waits.until(
                Duration.ofSeconds(10),
                "no zombie children of the daemon",
                () -> ProcChildren.zombieChildren(daemon.pid()) == 0,
                () -> "zombie children: " + ProcChildren.zombieChildren(daemon.pid()) + "\n" + live.describe());
        assertThat(live.call("GET", "/health", Duration.ofSeconds(10)).statusCode())
                .isEqualTo(200);
    }

    // ------------------------------------------------------------------ checks

    private List<ProcessRef> stablePids() throws Exception {
        List<ProcessRef> refs = new ArrayList<>();
        for (JsonNode p : live.processes()) {
            if (STABLE.contains(p.get("name").asText() + "." + p.get("replica").asInt())) {
                refs.add(ProcessRef.of(p.get("pid").asInt()));
            }
        }
        assertThat(refs).hasSize(STABLE.size()).doesNotContainNull();
        return refs;
    }

    /** Right after `up -d` returned: the new daemon stopped the dead one's children before it started its own. */
    private static void assertNothingLeftOf(String marker) {
        List<ProcScan.Proc> left = ProcScan.now().marked(marker);
        assertThat(left)
                .as("processes of the dead daemon (marker " + marker + ") still running after the next `up -d`")
                .isEmpty();
    }

    /** instance ("name.replica") → the distinct spawn markers among live processes, over every daemon of this test. */
    private Map<String, Set<String>> aliveInstances() {
        ProcScan scan = ProcScan.now();
        Map<String, Set<String>> all = new TreeMap<>();
        for (String prefix : live.markers()) {
            scan.instancesByMarker(prefix)
                    .forEach((instance, markers) -> all.computeIfAbsent(instance, k -> new java.util.TreeSet<>())
                            .addAll(markers));
        }
        return all;
    }

    private void assertOneInstanceEach() throws Exception {
        Map<String, Set<String>> alive = aliveInstances();
        for (String instance : STABLE) {
            assertThat(alive.get(instance))
                    .as(() -> "live copies of " + instance + ": " + alive + "\nprocesses marked "
                            + live.marker() + ": " + ProcScan.now().marked(live.marker()) + "\n"
                            + live.describe())
                    .hasSize(1);
            assertThat(alive.get(instance).iterator().next())
                    .as(instance + " belongs to the current daemon")
                    .startsWith(live.marker());
        }
        for (String instance : CRASHERS) {
            assertThat(alive.getOrDefault(instance, Set.of()))
                    .as("live copies of " + instance + ": " + alive)
                    .hasSizeLessThanOrEqualTo(1);
        }
        for (JsonNode p : live.processes()) {
            String instance = p.get("name").asText() + "." + p.get("replica").asInt();
            if (STABLE.contains(instance)) {
                assertThat(p.get("state").asText()).isEqualTo("running");
                ProcScan.Proc proc = ProcScan.read(p.get("pid").asInt());
                assertThat(proc).isNotNull();
                assertThat(alive.get(instance)).contains(proc.marker());
            }
        }
    }
}
