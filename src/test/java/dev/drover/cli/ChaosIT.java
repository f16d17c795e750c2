package dev.drover.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drover.Awaits;
import dev.drover.Waits;
import dev.drover.launch.ProcessRef;
import dev.drover.launch.Signals;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Chaos soak: the real daemon supervises 20 processes (23 instances) with mixed restart policies
 * and exec / http / tcp probes while four drivers, at once, SIGKILL random children, SIGSTOP and
 * later SIGCONT others, make probes fail and recover (by deleting and re-creating the files that
 * {@code test -f} probes look for), and send random start / stop / restart / reload commands
 * through the TCP API (a reload rewrites the file with one process's environment changed, and
 * half the time a command for that very process races the reload). Afterwards everything is
 * started again and the test checks the end state: every process running and ready, no zombie
 * children, no process of the daemon outside the trees of the processes it manages, the daemon's
 * threads, file descriptors and heap back near their start values, and the event stream
 * (subscribed for the whole run) consistent with the final state. {@code onf-trap} ignores
 * SIGTERM, so each of its stops lasts its stop_timeout (3 s) and ends in SIGKILL: commands that
 * race a reload of it land inside that window. Two small tests replay that race on purpose.
 *
 * <p>The soak lasts 60 s by default. Run it longer with {@code -Ddrover.soak=10m} (any of
 * {@code 90s}, {@code 10m}, {@code 1h}; a bare number is seconds), and replay the same sequence of
 * random choices with {@code -Ddrover.chaos.seed=N} (the seed is printed; the timing of the OS is
 * not replayed). The test's own bound is the soak plus 8 minutes. Example:
 * {@code ./mvnw -B verify -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=ChaosIT -Ddrover.soak=10m}.
 */
class ChaosIT {
    private static final long CLOCK_TICKS_PER_SECOND = 100; // getconf CLK_TCK on Linux x86-64 and arm64

    /** The 20 processes; instances are these, with .0/.1 for those with replicas. */
    private static final List<String> NAMES = List.of(
            "always-escape",
            "always-loop",
            "always-web",
            "always-rep",
            "always-live",
            "always-webrep",
            "always-tcp",
            "always-fatal",
            "onf-sleep",
            "onf-trap",
            "onf-tree",
            "onf-web",
            "onf-dep",
            "onf-live",
            "onf-fatal",
            "no-sleep",
            "no-rep",
            "no-web",
            "no-dep",
            "no-live");
    /** The flag files that exec probes test: name → readiness or liveness. */
    private static final Map<String, String> FLAGS = new LinkedHashMap<>();

    static {
        FLAGS.put("always-loop", "readiness");
        FLAGS.put("always-rep", "readiness");
        FLAGS.put("onf-trap", "readiness");
        FLAGS.put("always-live", "liveness");
        FLAGS.put("onf-live", "liveness");
        FLAGS.put("no-live", "liveness");
    }

    @TempDir
    Path dir;

    private LiveDaemon live;
    private Path flags;
    private final Map<String, Integer> generation = new ConcurrentHashMap<>();

    // What the drivers did.
    private final AtomicInteger kills = new AtomicInteger();
    private final AtomicInteger stops = new AtomicInteger();
    private final AtomicInteger conts = new AtomicInteger();
    private final AtomicInteger flips = new AtomicInteger();
    private final AtomicInteger refused = new AtomicInteger();
    private final AtomicLong slowestReloadMillis = new AtomicLong();
    private final Map<String, AtomicInteger> commands = new ConcurrentHashMap<>();
    private final List<String> problems = Collections.synchronizedList(new ArrayList<>());
    /** Every reload: when it was sent, when it was answered (epoch ms), and the process it changed. */
    private record Reload(long sent, long answered, String process) {}

    private final List<Reload> reloads = Collections.synchronizedList(new ArrayList<>());

    @AfterEach
    void cleanUp() throws Exception {
        if (live != null) {
            live.close();
        }
    }

    @Test
    void soak() {
        Duration soak = soakDuration();
        assertTimeoutPreemptively(soak.plus(Duration.ofMinutes(8)), () -> run(soak));
    }

    /**
     * The race the commander's "reload + command" actions aim at, made deterministic: a process
     * that ignores SIGTERM (so each stop lasts its stop_timeout) is changed by a reload, and a
     * `start` arrives while the reload is stopping it. There must be exactly one copy of it
     * afterwards, the reload must not hang, and `down` must stop everything.
     */
    @Test
    void aStartThatRacesTheReloadOfItsProcessLeavesExactlyOneCopy() {
        assertTimeoutPreemptively(Duration.ofSeconds(180), () -> raceReload("start"));
    }

    /** The same race with a `stop`: the stop was accepted after the reload began, so the process must end up stopped. */
    @Test
    void aStopThatRacesTheReloadOfItsProcessIsNotLost() {
        assertTimeoutPreemptively(Duration.ofSeconds(180), () -> raceReload("stop"));
    }

    /**
     * What the soak's event stream showed: a reload starts a changed process that had exited.
     * docs/daemon.md: "Processes whose definition changed are stopped (dependents first) and
     * started anew if they were running". A one-shot that completed is not running, so a reload
     * that changes it (here its env; a change of the top-level env changes every process) must
     * not run it again.
     */
    @Test
    void aReloadDoesNotRunAgainAChangedOneShotThatHadCompleted() {
        assertTimeoutPreemptively(Duration.ofSeconds(120), () -> {
            live = new LiveDaemon(dir);
            String oneShot = "processes:\n  keep: {command: \"exec sleep 3600\"}\n"
                    + "  once: {command: \"echo ran once\", restart: \"no\", env: {GEN: \"%d\"}}\n";
            live.config(oneShot.formatted(1));
            DroverProcess up = live.up(Duration.ofSeconds(60));
            assertThat(up.exitCode()).as(up.text()).isZero();
            Waits.until(
                    Duration.ofSeconds(20),
                    "once completed",
                    () -> live.process("once").get("state").asText().equals("exited"),
                    live::describe);
            live.config(oneShot.formatted(2));
            HttpResponse<String> reload = live.call("POST", "/api/reload", Duration.ofSeconds(60));
            assertThat(reload.statusCode()).as(reload.body()).isEqualTo(200);
            assertThat(reload.body()).contains("\"restarted\":[\"once\"]");
            // Give a wrongly started run every chance to show up in the log before judging.
            Waits.until(
                    Duration.ofSeconds(20),
                    "the reload settled",
                    () -> {
                        String state = live.process("once").get("state").asText();
                        return !state.equals("starting") && !state.equals("running");
                    },
                    live::describe);
            // The log file, not the ring buffer: a reload gives the replacement instance a fresh ring.
            List<String> log = Files.readAllLines(dir.resolve(".drover/logs/once.log"));
            long runs = log.stream().filter(l -> l.endsWith("ran once")).count();
            org.assertj.core.api.SoftAssertions soft = new org.assertj.core.api.SoftAssertions();
            soft.assertThat(runs)
                    .as("times the completed one-shot ran (its log file: %s)", log)
                    .isEqualTo(1);
            // Its replacement waits, stopped, for a command (docs/daemon.md, reload).
            soft.assertThat(live.process("once").get("state").asText())
                    .as("state of the one-shot after the reload")
                    .isEqualTo("stopped");
            soft.assertAll();
        });
    }

    private static String slowToStop(int generation) {
        return "processes:\n  slow: {command: \"trap '' TERM; while :; do sleep 0.1; done\", restart: always, stop_timeout: 2s, "
                + "backoff: {initial: 100ms}, env: {GEN: \"" + generation + "\"}}\n";
    }

    private void raceReload(String command) throws Exception {
        live = new LiveDaemon(dir);
        live.config(slowToStop(1));
        DroverProcess up = live.up(Duration.ofSeconds(60));
        assertThat(up.exitCode()).as(up.text()).isZero();
        int first = live.process("slow").get("pid").asInt();
        live.config(slowToStop(2));
        java.util.concurrent.atomic.AtomicReference<String> reloadAnswer =
                new java.util.concurrent.atomic.AtomicReference<>();
        long sent = System.nanoTime();
        Thread reload = Thread.ofVirtual().start(() -> {
            try {
                HttpResponse<String> answer = live.call("POST", "/api/reload", Duration.ofSeconds(120));
                reloadAnswer.set(answer.statusCode() + " " + answer.body());
            } catch (Exception e) {
                reloadAnswer.set(e.toString());
            }
        });
        Waits.until( // polls every 20 ms, as this wait did
                Duration.ofSeconds(20),
                "the reload is stopping the old slow",
                () -> live.process("slow").get("state").asText().equals("stopping"),
                () -> "the reload's answer so far: " + reloadAnswer.get() + "\n" + live.describe());
        HttpResponse<String> raced = live.call("POST", "/api/processes/slow/" + command, Duration.ofSeconds(30));
        assertThat(raced.statusCode()).as(raced.body()).isEqualTo(202);
        reload.join(Duration.ofSeconds(130));
        long reloadMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent);
        System.out.println(
                "[race " + command + "] reload answered after " + reloadMillis + " ms: " + reloadAnswer.get());

        org.assertj.core.api.SoftAssertions soft = new org.assertj.core.api.SoftAssertions();
        soft.assertThat(reloadAnswer.get()).as("the reload's answer").startsWith("200");
        // One stop_timeout (2 s) for the old child, and a margin for a loaded machine.
        soft.assertThat(reloadMillis)
                .as("the reload took (ms) — a command during a reload must not wedge it")
                .isLessThan(8000);
        String wanted = command.equals("stop") ? "stopped" : "running";
        try {
            await("slow settles as " + wanted)
                    .atMost(Duration.ofSeconds(30))
                    .until(() -> live.process("slow").get("state").asText().equals(wanted));
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            // reported below
        }
        JsonNode slow = live.process("slow");
        soft.assertThat(slow.get("state").asText())
                .as(
                        "the state of slow after `%s` raced the reload (pid %d)",
                        command, slow.get("pid").asInt())
                .isEqualTo(wanted);
        // Copies: distinct spawn markers among live processes of slow (an old-supervisor leftover has its own).
        java.util.concurrent.atomic.AtomicReference<Set<String>> copies =
                new java.util.concurrent.atomic.AtomicReference<>(Set.of());
        int expected = wanted.equals("running") ? 1 : 0;
        try {
            await("one copy of slow").atMost(Duration.ofSeconds(20)).until(() -> {
                copies.set(ProcScan.now().instancesByMarker(live.marker()).getOrDefault("slow.0", Set.of()));
                return copies.get().size() == expected;
            });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            // reported below
        }
        List<String> described = ProcScan.now().marked(live.marker()).stream()
                .filter(p -> "slow".equals(p.process()))
                .map(ProcScan.Proc::toString)
                .toList();
        soft.assertThat(copies.get())
                .as(
                        "live copies of slow (first pid %d, the API says pid %d): %s",
                        first, slow.get("pid").asInt(), described)
                .hasSize(expected);
        String marker = live.marker();
        DroverProcess down = DroverProcess.start(dir, "down", "--timeout", "120s");
        down.waitFor(Duration.ofSeconds(150));
        soft.assertThat(down.exitCode()).as(down.text()).isZero();
        List<String> afterDown = ProcScan.now().marked(marker).stream()
                .map(ProcScan.Proc::toString)
                .toList();
        soft.assertThat(afterDown)
                .as("processes of the daemon still running after `drover down`")
                .isEmpty();
        soft.assertAll();
    }

    static Duration soakDuration() {
        String value = System.getProperty("drover.soak", "60s").trim();
        if (value.isEmpty()) {
            return Duration.ofSeconds(60);
        }
        long amount = Long.parseLong(value.replaceAll("[a-z]+$", ""));
        return switch (value.replaceAll("^[0-9]+", "")) {
            case "", "s" -> Duration.ofSeconds(amount);
            case "ms" -> Duration.ofMillis(amount);
            case "m" -> Duration.ofMinutes(amount);
            case "h" -> Duration.ofHours(amount);
            default -> throw new IllegalArgumentException("drover.soak: use e.g. 60s, 10m or 1h, not " + value);
        };
    }

    private void run(Duration soak) throws Exception {
        long seed = Long.getLong("drover.chaos.seed", System.nanoTime());
        System.out.println(
                "[chaos] seed " + seed + " (replay the choices with -Ddrover.chaos.seed=" + seed + "), soak " + soak);
        flags = Files.createDirectories(dir.resolve("flags"));
        FLAGS.keySet().forEach(this::raise);
        NAMES.forEach(n -> generation.put(n, 0));
        live = new LiveDaemon(dir);
        live.config(yaml());
        DroverProcess up = live.up(Duration.ofSeconds(120));
        assertThat(up.exitCode()).as(up.text()).isZero();
        int daemonPid = live.daemon().pid();
        List<JsonNode> initial = live.processes();
        assertThat(initial).hasSize(23);

        LiveDaemon.EventLog events = live.subscribe();

        // Start figures, after a full GC so that heap figures compare like with like.
        gc(daemonPid);
        JsonNode startDetail = live.get("/health/detailed").get("drover");
        int startThreads = ProcScan.threads(daemonPid);
        int startFds = ProcScan.fds(daemonPid);
        long startHeap = startDetail.get("heap").get("used").asLong();
        int startLiveThreads = startDetail.get("threads").get("live").asInt();
        System.out.printf(
                "[chaos] start: daemon %d, %d threads (/proc), %d JVM live threads, %d fds, heap used %.1f MiB%n",
                daemonPid, startThreads, startLiveThreads, startFds, startHeap / 1048576.0);

        // ---- the chaos ----
        long began = System.nanoTime();
        long beganMillis = System.currentTimeMillis();
        long deadline = began + soak.toNanos();
        Random seeds = new Random(seed);
        Map<ProcessRef, Long> paused = new ConcurrentHashMap<>();
        List<Thread> drivers = List.of(
                driver("killer", deadline, new Random(seeds.nextLong()), this::killOne),
                driver("stopper", deadline, new Random(seeds.nextLong()), random -> stopOrContinue(random, paused)),
                driver("prober", deadline, new Random(seeds.nextLong()), this::flipProbe),
                driver("commander", deadline, new Random(seeds.nextLong()), this::command));
        for (Thread driver : drivers) {
            driver.join(soak.plus(Duration.ofMinutes(3)).toMillis());
            assertThat(driver.isAlive())
                    .as("driver " + driver.getName() + " finished")
                    .isFalse();
        }
        // Whatever the drivers left paused goes on, and every probe passes again.
        paused.keySet().forEach(ref -> {
            if (Signals.send(ref, Signals.SIGCONT)) {
                conts.incrementAndGet();
            }
            live.noteContinued(ref);
        });
        FLAGS.keySet().forEach(this::raise);
        Duration chaosTook = Duration.ofNanos(System.nanoTime() - began);
        System.out.println("[chaos] chaos phase from " + beganMillis + " to " + System.currentTimeMillis()
                + " (epoch ms); then everything is started again");

        // ---- start everything, wait until it is all running and ready ----
        for (String name : NAMES) {
            HttpResponse<String> start = live.call("POST", "/api/processes/" + name + "/start", Duration.ofSeconds(30));
            assertThat(start.statusCode())
                    .as("start " + name + ": " + start.body())
                    .isEqualTo(202);
        }
        Awaits.until(
                await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)),
                "every instance running and ready",
                () -> notReady(live.processes()).isEmpty(),
                live::describe);
        Map<String, Integer> settledPids = pids(live.processes());
        // Stable: the same children stay running and ready for 3 s (no late restart from the chaos).
        Awaits.until(
                await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(20)),
                "the same children stay running and ready",
                () -> {
                    List<JsonNode> now = live.processes();
                    return notReady(now).isEmpty() && pids(now).equals(settledPids);
                },
                () -> "pids once settled: " + settledPids + "\n" + live.describe());
        HttpResponse<String> health = live.call("GET", "/health", Duration.ofSeconds(20));
        assertThat(health.statusCode()).as(health.body()).isEqualTo(200);

        // ---- the end state: every check runs, and every failure is reported together ----
        List<String> failures = new ArrayList<>();
        try {
            await("no zombie children of the daemon")
                    .atMost(Duration.ofSeconds(10))
                    .until(() -> ProcChildren.zombieChildren(daemonPid) == 0);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            failures.add("zombie children of the daemon for 10 s: " + ProcChildren.zombieChildren(daemonPid));
        }
        java.util.concurrent.atomic.AtomicReference<List<String>> lastUnexplained =
                new java.util.concurrent.atomic.AtomicReference<>(List.of());
        try {
            await("no process of the daemon outside the managed trees")
                    .atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> {
                        lastUnexplained.set(unexplained(daemonPid));
                        return lastUnexplained.get().isEmpty();
                    });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            failures.add("processes of the daemon outside every managed process's tree, for 30 s:\n  "
                    + String.join("\n  ", lastUnexplained.get()));
        }

        // ---- resources back near the start ----
        // Bounds: +20 threads covers the virtual-thread scheduler's carriers (it adds some while
        // virtual threads block in native calls, and lets them go after 30 s idle) and JDK helpers
        // started lazily (timers, the attach listener of jcmd); +20 fds covers this test's own
        // connections (the event stream, pooled API connections) and a child being replaced
        // (pipes, pidfd). A leak of one fd or thread per restart, kill or command would exceed
        // them many times over (hundreds of each happen). Heap: after a full GC, +16 MiB is room
        // for 23 ring buffers of 1000 lines and the metrics, not for per-event growth.
        int[] end = new int[3];
        long[] endHeap = new long[1];
        try {
            await("threads, fds and heap back near their start values")
                    .atMost(Duration.ofSeconds(90))
                    .pollInterval(Duration.ofSeconds(3))
                    .until(() -> {
                        gc(daemonPid);
                        JsonNode detail = live.get("/health/detailed").get("drover");
                        end[0] = ProcScan.threads(daemonPid);
                        end[1] = ProcScan.fds(daemonPid);
                        end[2] = detail.get("threads").get("live").asInt();
                        endHeap[0] = detail.get("heap").get("used").asLong();
                        return end[0] <= startThreads + 20
                                && end[1] <= startFds + 20
                                && endHeap[0] <= startHeap + 16L * 1048576;
                    });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            failures.add("daemon resources not back within bounds after 90 s: threads " + end[0] + " (start "
                    + startThreads + ", bound +20), fds " + end[1] + " (start " + startFds + ", bound +20), heap used "
                    + endHeap[0] + " (start " + startHeap + ", bound +16 MiB)");
        } finally {
            System.out.printf(
                    "[chaos] end:   %d threads (/proc, start %d), %d JVM live threads (start %d), %d fds (start %d), heap used after GC %.1f MiB (start %.1f MiB)%n",
                    end[0],
                    startThreads,
                    end[2],
                    startLiveThreads,
                    end[1],
                    startFds,
                    endHeap[0] / 1048576.0,
                    startHeap / 1048576.0);
        }

        // ---- the event stream agrees with the final state ----
        List<JsonNode> finalState = live.processes();
        Map<String, JsonNode> finalById = new TreeMap<>();
        finalState.forEach(p -> finalById.put(p.get("id").asText(), p));
        try {
            await("the last event of each instance matches its final state")
                    .atMost(Duration.ofSeconds(20))
                    .until(() -> lastEventsMismatch(events.events(), finalById).isEmpty());
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            // reported in full below
        }
        List<JsonNode> received = events.events();
        List<String> violations = new ArrayList<>(lastEventsMismatch(received, finalById));
        violations.addAll(chainViolations(received));
        summary(chaosTook, received, events.dropped());

        if (!problems.isEmpty()) {
            failures.add("driver problems (unexpected API answers): " + problems);
        }
        if (!events.dropped().isEmpty()) {
            failures.add("the daemon dropped events on our stream: " + events.dropped());
        }
        if (!violations.isEmpty()) {
            failures.add("event stream vs. final state (" + received.size() + " events):\n  "
                    + String.join("\n  ", violations));
        }
        assertThat(failures).as("end-state checks after the chaos").isEmpty();
    }

    // ---------------------------------------------------------------- the drivers

    private interface Action {
        void act(Random random) throws Exception;
    }

    private Thread driver(String name, long deadline, Random random, Action action) {
        return Thread.ofPlatform().daemon().name("chaos-" + name).start(() -> {
            while (System.nanoTime() < deadline) {
                try {
                    action.act(random);
                    // Pacing of the load generator (not a wait for any condition): a short pause between actions.
                    Thread.sleep(100 + random.nextInt(300));
                } catch (InterruptedException e) {
                    return;
                } catch (Exception | AssertionError e) {
                    problems.add(name + ": " + e);
                }
            }
        });
    }

    /** A running child of the daemon, named by the API and verified in /proc: parent, marker and start time all agree. */
    private ProcessRef verifiedChild(Random random) throws IOException, InterruptedException {
        List<JsonNode> running = live.processes().stream()
                .filter(p -> p.get("state").asText().equals("running")
                        && p.get("pid").asInt() > 0)
                .toList();
        if (running.isEmpty()) {
            return null;
        }
        JsonNode pick = running.get(random.nextInt(running.size()));
        ProcScan.Proc proc = ProcScan.read(pick.get("pid").asInt());
        if (proc == null
                || proc.zombie()
                || proc.ppid() != live.daemon().pid()
                || proc.marker() == null
                || !proc.marker().startsWith(live.marker())) {
            refused.incrementAndGet();
            return null;
        }
        long startedMillis = bootTimeMillis() + proc.startTime() * 1000 / CLOCK_TICKS_PER_SECOND;
        if (Math.abs(startedMillis - pick.get("startTime").asLong()) > 3000) {
            refused.incrementAndGet();
            return null;
        }
        return proc.ref();
    }

    private void killOne(Random random) throws Exception {
        ProcessRef victim = verifiedChild(random);
        if (victim != null && Signals.send(victim, Signals.SIGKILL)) {
            kills.incrementAndGet();
        }
    }

    private void stopOrContinue(Random random, Map<ProcessRef, Long> paused) throws Exception {
        long now = System.nanoTime();
        for (Map.Entry<ProcessRef, Long> entry : paused.entrySet()) {
            if (entry.getValue() <= now) {
                if (Signals.send(entry.getKey(), Signals.SIGCONT)) {
                    conts.incrementAndGet();
                }
                paused.remove(entry.getKey());
                live.noteContinued(entry.getKey());
            }
        }
        if (paused.size() < 3 && random.nextInt(3) > 0) {
            ProcessRef victim = verifiedChild(random);
            if (victim != null) {
                live.noteStopped(victim);
                if (Signals.send(victim, LiveDaemon.SIGSTOP)) {
                    stops.incrementAndGet();
                    paused.put(victim, now + TimeUnit.MILLISECONDS.toNanos(200 + random.nextInt(1300)));
                } else {
                    live.noteContinued(victim);
                }
            }
        }
    }

    private void flipProbe(Random random) throws IOException {
        List<String> names = new ArrayList<>(FLAGS.keySet());
        String name = names.get(random.nextInt(names.size()));
        Path flag = flags.resolve(name);
        if (Files.exists(flag)) {
            Files.deleteIfExists(flag);
        } else {
            raise(name);
        }
        flips.incrementAndGet();
    }

    private void command(Random random) throws Exception {
        int dice = random.nextInt(100);
        String kind = dice < 30 ? "restart" : dice < 55 ? "stop" : dice < 85 ? "start" : "reload";
        if (kind.equals("reload")) {
            reload(random);
            return;
        }
        String target = target(random);
        count(kind);
        HttpResponse<String> answer =
                live.call("POST", "/api/processes/" + target + "/" + kind, Duration.ofSeconds(30));
        if (answer.statusCode() != 202) {
            problems.add(kind + " " + target + ": " + answer.statusCode() + " " + answer.body());
        }
    }

    /** A process name (all its replicas) or, a third of the time, one instance. */
    private String target(Random random) throws IOException, InterruptedException {
        if (random.nextInt(3) == 0) {
            List<JsonNode> all = live.processes();
            return all.get(random.nextInt(all.size())).get("id").asText();
        }
        return NAMES.get(random.nextInt(NAMES.size()));
    }

    /** Rewrites the file with one process's CHAOS_GEN changed and reloads; half the time a command for that process races it. */
    private void reload(Random random) throws Exception {
        String changed = NAMES.get(random.nextInt(NAMES.size()));
        generation.merge(changed, 1, Integer::sum);
        live.config(yaml());
        Thread racer = null;
        if (random.nextBoolean()) {
            String kind = List.of("start", "restart", "stop").get(random.nextInt(3));
            int delay = random.nextInt(300);
            count("reload+" + kind);
            racer = Thread.ofVirtual().start(() -> {
                try {
                    Thread.sleep(delay); // load generation: lands the command somewhere inside the reload
                    HttpResponse<String> answer =
                            live.call("POST", "/api/processes/" + changed + "/" + kind, Duration.ofSeconds(30));
                    if (answer.statusCode() != 202) {
                        problems.add(
                                kind + " " + changed + " during reload: " + answer.statusCode() + " " + answer.body());
                    }
                } catch (Exception e) {
                    problems.add(kind + " " + changed + " during reload: " + e);
                }
            });
        }
        count("reload");
        long t0 = System.nanoTime();
        long sent = System.currentTimeMillis();
        HttpResponse<String> answer = live.call("POST", "/api/reload", Duration.ofSeconds(120));
        reloads.add(new Reload(sent, System.currentTimeMillis(), changed));
        slowestReloadMillis.accumulateAndGet(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0), Math::max);
        if (answer.statusCode() != 200) {
            problems.add("reload (" + changed + " changed): " + answer.statusCode() + " " + answer.body());
        } else {
            JsonNode result = LiveDaemon.JSON.readTree(answer.body());
            List<String> restarted = new ArrayList<>();
            result.get("restarted").forEach(n -> restarted.add(n.asText()));
            if (!restarted.equals(List.of(changed))) {
                problems.add("reload changed only " + changed + " but restarted " + restarted + ": " + answer.body());
            }
        }
        if (racer != null) {
            racer.join();
        }
    }

    private void count(String kind) {
        commands.computeIfAbsent(kind, k -> new AtomicInteger()).incrementAndGet();
    }

    // ---------------------------------------------------------------- the checks

    private static List<String> notReady(List<JsonNode> processes) {
        return processes.stream()
                .filter(p -> !(p.get("state").asText().equals("running")
                        && p.get("health").asText().equals("ready")
                        && p.get("pid").asInt() > 0))
                .map(p -> p.get("id").asText() + " " + p.get("state").asText() + "/"
                        + p.get("health").asText())
                .toList();
    }

    private static Map<String, Integer> pids(List<JsonNode> processes) {
        Map<String, Integer> pids = new TreeMap<>();
        processes.forEach(p -> pids.put(p.get("id").asText(), p.get("pid").asInt()));
        return pids;
    }

    /**
     * Processes that are descendants of the daemon or carry its marker, but are in no managed
     * child's tree. Exec probes ({@code test -f FLAG}) are the daemon's own short-lived children
     * and are allowed.
     */
    private List<String> unexplained(int daemonPid) throws IOException, InterruptedException {
        Set<Integer> managed = new HashSet<>(pids(live.processes()).values());
        ProcScan scan = ProcScan.now();
        Set<Integer> candidates = new HashSet<>(scan.descendants(daemonPid));
        scan.marked(live.marker()).forEach(p -> candidates.add(p.pid()));
        List<String> outside = new ArrayList<>();
        for (int pid : candidates) {
            ProcScan.Proc p = scan.get(pid);
            if (p == null || p.zombie()) {
                continue;
            }
            if (managed.stream().anyMatch(m -> scan.inTreeOf(pid, m))) {
                continue;
            }
            boolean probe = p.ppid() == daemonPid
                    && p.cmdline().size() == 3
                    && p.cmdline().get(0).equals("test")
                    && p.cmdline().get(1).equals("-f")
                    && p.cmdline().get(2).startsWith(flags.toString());
            if (!probe) {
                outside.add(p.toString());
            }
        }
        return outside;
    }

    /** Instances whose last event disagrees with the final state (state, health or pid). */
    private static List<String> lastEventsMismatch(List<JsonNode> events, Map<String, JsonNode> finalById) {
        Map<String, JsonNode> last = new HashMap<>();
        events.forEach(e -> last.put(e.get("process").asText(), e));
        List<String> mismatches = new ArrayList<>();
        for (Map.Entry<String, JsonNode> entry : finalById.entrySet()) {
            JsonNode e = last.get(entry.getKey());
            JsonNode p = entry.getValue();
            if (e == null) {
                continue; // no event for it during the run: nothing to compare
            }
            if (!e.get("state").asText().equals(p.get("state").asText())
                    || !e.get("health").asText().equals(p.get("health").asText())
                    || e.get("pid").asInt() != p.get("pid").asInt()) {
                mismatches.add(entry.getKey() + ": last event " + brief(e) + " but final state "
                        + p.get("state").asText() + "/" + p.get("health").asText() + " pid "
                        + p.get("pid").asInt());
            }
        }
        for (String id : last.keySet()) {
            if (!finalById.containsKey(id)) {
                mismatches.add(id + ": events for an instance that does not exist at the end");
            }
        }
        return mismatches;
    }

    /** Per instance: events in time order, and each one's previous state and health are the state and health of the event before it. */
    private List<String> chainViolations(List<JsonNode> events) {
        Map<String, List<JsonNode>> byInstance = new TreeMap<>();
        events.forEach(e -> byInstance
                .computeIfAbsent(e.get("process").asText(), k -> new ArrayList<>())
                .add(e));
        List<String> violations = new ArrayList<>();
        for (Map.Entry<String, List<JsonNode>> entry : byInstance.entrySet()) {
            List<JsonNode> list = entry.getValue();
            for (int i = 1; i < list.size(); i++) {
                JsonNode before = list.get(i - 1), e = list.get(i);
                if (e.get("time").asLong() < before.get("time").asLong()) {
                    violations.add(entry.getKey() + ": event " + i + " is older than the one before it: "
                            + brief(before) + " then " + brief(e));
                }
                if (!e.get("previousState").asText().equals(before.get("state").asText())) {
                    violations.add(entry.getKey() + ": event " + i + " says previousState "
                            + e.get("previousState").asText() + " but the event before it was "
                            + before.get("state").asText() + ": " + brief(before) + " then " + brief(e)
                            + reloadBetween(entry.getKey(), before, e));
                }
                if (!e.get("previousHealth")
                        .asText()
                        .equals(before.get("health").asText())) {
                    violations.add(entry.getKey() + ": event " + i + " says previousHealth "
                            + e.get("previousHealth").asText() + " but the event before it had health "
                            + before.get("health").asText() + ": " + brief(before) + " then " + brief(e)
                            + reloadBetween(entry.getKey(), before, e));
                }
            }
        }
        return violations;
    }

    /** Says whether a reload that changed this instance's process ran between two of its events. */
    private String reloadBetween(String instance, JsonNode before, JsonNode after) {
        String process = instance.contains(".") ? instance.substring(0, instance.indexOf('.')) : instance;
        List<Reload> matching;
        synchronized (reloads) {
            matching = reloads.stream()
                    .filter(r -> r.process().equals(process)
                            && r.answered() >= before.get("time").asLong()
                            && r.sent() <= after.get("time").asLong())
                    .toList();
        }
        return matching.isEmpty()
                ? " (no reload of " + process + " in between)"
                : " (in between, a reload changed " + process + ": sent "
                        + matching.getFirst().sent() + ", answered "
                        + matching.getFirst().answered() + ")";
    }

    private static String brief(JsonNode e) {
        return "[" + e.get("time").asLong() + " " + e.get("previousState").asText() + "/"
                + e.get("previousHealth").asText() + " -> "
                + e.get("state").asText() + "/" + e.get("health").asText() + " pid "
                + e.get("pid").asInt() + " restarts "
                + e.get("restartCount").asInt() + " (" + e.get("reason").asText() + ")]";
    }

    private void summary(Duration took, List<JsonNode> events, List<String> dropped) {
        Map<String, Integer> lastRestarts = new HashMap<>();
        int automaticRestarts = 0, starts = 0;
        Map<String, Integer> transitions = new TreeMap<>();
        for (JsonNode e : events) {
            String id = e.get("process").asText();
            int restarts = e.get("restartCount").asInt();
            Integer before = lastRestarts.put(id, restarts);
            if (before != null && restarts > before) {
                automaticRestarts += restarts - before;
            }
            if (e.get("state").asText().equals("running")
                    && e.get("previousState").asText().equals("starting")) {
                starts++;
            }
            transitions.merge(
                    e.get("previousState").asText() + "->" + e.get("state").asText(), 1, Integer::sum);
        }
        System.out.println("[chaos] ===== summary =====");
        System.out.printf(
                "[chaos] chaos phase %.1f s; kills %d, SIGSTOPs %d, SIGCONTs %d, probe flips %d, children skipped by the /proc check %d%n",
                took.toMillis() / 1000.0, kills.get(), stops.get(), conts.get(), flips.get(), refused.get());
        System.out.println("[chaos] commands: "
                + new TreeMap<>(commands.entrySet().stream()
                        .collect(Collectors.toMap(
                                Map.Entry::getKey, x -> x.getValue().get())))
                + "; slowest reload " + slowestReloadMillis.get() + " ms");
        System.out.println("[chaos] events received " + events.size() + " (dropped notes: " + dropped
                + "); children started " + starts + ", automatic restarts seen in events " + automaticRestarts);
        System.out.println("[chaos] transitions: " + transitions);
        System.out.println("[chaos] reloads (sent ms, answered ms, changed): " + reloads);
        if (!problems.isEmpty()) {
            System.out.println("[chaos] driver problems: " + problems);
        }
    }

    // ---------------------------------------------------------------- helpers

    private void raise(String name) {
        try {
            Files.writeString(flags.resolve(name), "ok\n");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static long bootTimeMillis() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/stat"))) {
            if (line.startsWith("btime ")) {
                return Long.parseLong(line.substring(6).trim()) * 1000;
            }
        }
        throw new IOException("no btime in /proc/stat");
    }

    /** A full GC in the daemon (jcmd), so that heap figures compare what is live, not what awaits collection. */
    static void gc(int pid) throws IOException, InterruptedException {
        Process jcmd = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                        Integer.toString(pid),
                        "GC.run")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        if (!jcmd.waitFor(30, TimeUnit.SECONDS)) {
            jcmd.destroyForcibly();
            jcmd.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private String probe(String name, String kind, String extra) {
        return kind + ": {exec: \"test -f " + flags.resolve(name) + "\", interval: 250ms, failure_threshold: " + extra
                + "}";
    }

    /** The configuration, with each process's CHAOS_GEN from {@link #generation}. */
    private String yaml() {
        String web = "\"exec python3 -m http.server ${PORT} --bind 127.0.0.1\", port: auto";
        String httpReady = "readiness: {http: \"http://127.0.0.1:${PORT}/\", interval: 300ms, timeout: 1s}";
        String common = "stop_timeout: 3s, backoff: {initial: 100ms, max: 1s}";
        Map<String, String> p = new LinkedHashMap<>();
        p.put("always-escape", "command: \"setsid sleep 3600 & exec sleep 3600\", restart: always, max_restarts: 0");
        p.put(
                "always-loop",
                "command: \"while :; do sleep 1; done\", restart: always, max_restarts: 0, "
                        + probe("always-loop", "readiness", "1"));
        p.put(
                "always-web",
                "command: " + web + ", restart: always, max_restarts: 0, " + httpReady
                        + ", liveness: {tcp: \"127.0.0.1:${PORT}\", interval: 500ms, failure_threshold: 3}");
        p.put(
                "always-rep",
                "command: \"exec sleep 3600\", replicas: 2, restart: always, max_restarts: 0, "
                        + probe("always-rep", "readiness", "1"));
        p.put(
                "always-live",
                "command: \"exec sleep 3600\", restart: always, max_restarts: 0, "
                        + probe("always-live", "liveness", "2"));
        p.put("always-webrep", "command: " + web + ", replicas: 2, restart: always, max_restarts: 0, " + httpReady);
        p.put(
                "always-tcp",
                "command: " + web
                        + ", restart: always, max_restarts: 0, readiness: {tcp: \"127.0.0.1:${PORT}\", interval: 300ms}");
        p.put("always-fatal", "command: \"exec sleep 3600\", restart: always, max_restarts: 3, restart_window: 30s");
        p.put("onf-sleep", "command: \"exec sleep 3600\", restart: on-failure, max_restarts: 0");
        p.put(
                "onf-trap",
                "command: \"trap '' TERM; while :; do sleep 0.2; done\", restart: on-failure, max_restarts: 0, "
                        + probe("onf-trap", "readiness", "1"));
        p.put("onf-tree", "command: \"sleep 3600 & sleep 3600 & wait\", restart: on-failure, max_restarts: 0");
        p.put(
                "onf-web",
                "command: " + web + ", restart: on-failure, max_restarts: 0, " + httpReady
                        + ", liveness: {http: \"http://127.0.0.1:${PORT}/\", interval: 500ms, timeout: 2s, failure_threshold: 3}");
        p.put(
                "onf-dep",
                "command: \"exec sleep 3600\", restart: on-failure, max_restarts: 0, depends_on: {always-web: {condition: healthy}}");
        p.put(
                "onf-live",
                "command: \"while :; do sleep 0.5; done\", restart: on-failure, max_restarts: 0, "
                        + probe("onf-live", "liveness", "2"));
        p.put("onf-fatal", "command: \"exec sleep 3600\", restart: on-failure, max_restarts: 3, restart_window: 30s");
        p.put("no-sleep", "command: \"exec sleep 3600\", restart: \"no\"");
        p.put("no-rep", "command: \"exec sleep 3600\", replicas: 2, restart: \"no\"");
        p.put("no-web", "command: " + web + ", restart: \"no\", " + httpReady);
        p.put("no-dep", "command: \"exec sleep 3600\", restart: \"no\", depends_on: [onf-sleep]");
        p.put("no-live", "command: \"exec sleep 3600\", restart: \"no\", " + probe("no-live", "liveness", "2"));
        assertThat(p.keySet()).containsExactlyElementsOf(NAMES);
        StringBuilder y = new StringBuilder("processes:\n");
        p.forEach((name, body) -> y.append("  ")
                .append(name)
                .append(": {")
                .append(body)
                .append(", ")
                .append(common)
                .append(", env: {CHAOS_GEN: \"")
                .append(generation.get(name))
                .append("\"}}\n"));
        return y.toString();
    }
}
