package dev.drover.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drover.Awaits;
import dev.drover.Describe;
import dev.drover.Waits;
import dev.drover.launch.ProcessRef;
import dev.drover.launch.Signals;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.assertj.core.api.SoftAssertions;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The log directory becomes unwritable (a small tmpfs that fills up; a read-only mount) and the
 * daemon runs short of file descriptors ({@code ulimit -n 64}; a descriptor table exhausted with
 * prlimit). What we want: a clear error in the daemon's log or `drover logs`, the children keep
 * running with the same PIDs, and things work again when the condition clears. Needs root (mount,
 * prlimit); every mount is unmounted afterwards.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class ResourceTroubleIT {
    private static final Pattern TALK = Pattern.compile(" talk (\\d+) ");

    @TempDir
    Path dir;

    private DaemonHarness drover;
    private final List<Path> mounts = new ArrayList<>();

    @AfterEach
    void cleanUp() {
        try {
            if (drover != null) {
                drover.close();
            }
        } finally {
            for (Path mount : mounts.reversed()) {
                if (sh("umount", mount.toString()) != 0) {
                    sh("umount", "-l", mount.toString());
                }
            }
        }
    }

    // ---------------------------------------------------------------- the log disk fills up

    @Test
    void aFullLogDiskIsReportedTheChildKeepsRunningAndLoggingResumesWhenSpaceIsFreed() throws Exception {
        Path logs = mountTmpfs("logs", "2m");
        writeTalker();
        Files.writeString(dir.resolve("drover.yaml"), """
                log_dir: logs
                processes:
                  talker:
                    command: "sh talk.sh"
                    log: {max_size: 256KB, keep: 2}
                """);
        drover = new DaemonHarness(dir);
        DaemonHarness.Result up = drover.up();
        assertThat(up.exitCode()).as(up.toString()).isZero();
        int pid = drover.pid("talker");
        drover.track(ProcessRef.of(pid));
        Waits.until(
                Duration.ofSeconds(20),
                "talk 20 in talker.log",
                () -> lastTalk(logs) >= 20,
                () -> "last talk in the file: " + lastTalk(logs) + "\n" + Describe.directory(logs) + drover.describe());

        // Fill the disk with a file of our own.
        Path filler = logs.resolve("filler");
        long filled = fill(filler);
        int lastBeforeFull = lastTalk(logs);
        // Enough output for the log to need new blocks several times over (~10 KB/s).
        int ringAtFull = lastTalkInRing();
        Waits.until(
                Duration.ofSeconds(30),
                "300 more lines in the ring after the disk filled up at talk " + ringAtFull,
                () -> lastTalkInRing() >= ringAtFull + 300,
                () -> "last talk in the ring: " + lastTalkInRing() + "\n" + drover.describe());
        int lastInFileWhileFull = lastTalk(logs);
        int ringWhileFull = lastTalkInRing();

        SoftAssertions soft = new SoftAssertions();
        String where = awaitError("No space left on device", Duration.ofSeconds(10), "talker");
        soft.assertThat(where)
                .as(
                        "a clear error (\"No space left on device\") in the daemon's log, `drover logs talker` or `drover ps`"
                                + " within 10 s of the disk filling up; daemon log:\n" + drover.daemonLogText())
                .isNotNull();
        soft.assertThat(drover.pid("talker"))
                .as("the child keeps running with the same PID")
                .isEqualTo(pid);
        soft.assertThat(drover.state("talker")).isEqualTo("running");

        // Free the space: new lines must reach the log file again.
        Files.delete(filler);
        int ringAtFree = lastTalkInRing();
        Long recoveredMs = awaitMillis(
                Duration.ofSeconds(15),
                "a line after talk " + ringAtFree + " in talker.log",
                () -> lastTalk(logs) > ringAtFree,
                () -> "last talk in the file: " + lastTalk(logs) + "\n" + Describe.directory(logs) + drover.describe());
        Long recoveredAfterRestartMs = null;
        if (recoveredMs == null) {
            // Would a restart of the process help? (It is what a user would try next.)
            recoveredAfterRestartMs = restartAndAwaitItInTheFile(logs, pid);
        }
        System.out.printf(
                "[disk full] tmpfs 2 MiB, filler %d bytes; last line in the file before full %d, while full %d (ring %d);"
                        + " error reported: %s; freed at ring line %d; new lines in the file %s; after `drover restart`: %s%n",
                filled,
                lastBeforeFull,
                lastInFileWhileFull,
                ringWhileFull,
                where == null ? "nowhere" : where,
                ringAtFree,
                recoveredMs == null ? "never (15 s)" : "after " + recoveredMs + " ms",
                recoveredMs != null
                        ? "not needed"
                        : recoveredAfterRestartMs == null
                                ? "never (15 s)"
                                : "after " + recoveredAfterRestartMs + " ms");
        soft.assertThat(recoveredMs)
                .as("ms from freeing the space until a new line reached talker.log (null: never in 15 s)")
                .isNotNull();
        soft.assertAll();
    }

    // ---------------------------------------------------------------- a read-only log directory

    @Test
    void aReadOnlyLogDirectoryIsReportedAndLoggingResumesWhenItIsWritableAgain() throws Exception {
        Path logs = mountTmpfs("logs", "2m");
        // Read-only while no file is open (the kernel refuses to remount a file system with writers).
        assertThat(sh("mount", "-o", "remount,ro", logs.toString())).isZero();
        writeTalker();
        Files.writeString(dir.resolve("drover.yaml"), """
                log_dir: logs
                processes:
                  talker:
                    command: "sh talk.sh"
                """);
        drover = new DaemonHarness(dir);
        DaemonHarness.Result up = drover.up();
        assertThat(up.exitCode()).as(up.toString()).isZero();
        int pid = drover.pid("talker");
        drover.track(ProcessRef.of(pid));
        Waits.until(
                Duration.ofSeconds(20),
                "talk 20 in the ring",
                () -> lastTalkInRing() >= 20,
                () -> "last talk in the ring: " + lastTalkInRing() + "\n" + drover.describe());

        SoftAssertions soft = new SoftAssertions();
        String where = awaitError("Read-only file system", Duration.ofSeconds(10), "talker");
        soft.assertThat(where)
                .as(
                        "a clear error (\"Read-only file system\") in the daemon's log, `drover logs talker` or `drover ps`;"
                                + " daemon log:\n" + drover.daemonLogText() + "\ndrover logs:\n"
                                + drover.run("logs", "-n", "5", "talker").output())
                .isNotNull();
        soft.assertThat(drover.pid("talker"))
                .as("the child keeps running with the same PID")
                .isEqualTo(pid);

        assertThat(sh("mount", "-o", "remount,rw", logs.toString())).isZero();
        int ringAtRw = lastTalkInRing();
        Long recoveredMs = awaitMillis(
                Duration.ofSeconds(15),
                "a line after talk " + ringAtRw + " in talker.log",
                () -> lastTalk(logs) > ringAtRw,
                () -> "last talk in the file: " + lastTalk(logs) + "\n" + Describe.directory(logs) + drover.describe());
        Long recoveredAfterRestartMs = null;
        if (recoveredMs == null) {
            // Would a restart of the process help? (It is what a user would try next.)
            recoveredAfterRestartMs = restartAndAwaitItInTheFile(logs, pid);
        }
        System.out.printf(
                "[read-only log dir] error reported: %s; files in the log dir after remount rw: %s; new lines in the file %s;"
                        + " after `drover restart`: %s%n",
                where == null ? "nowhere" : where,
                list(logs),
                recoveredMs == null ? "never (15 s)" : "after " + recoveredMs + " ms",
                recoveredMs != null
                        ? "not needed"
                        : recoveredAfterRestartMs == null
                                ? "never (15 s)"
                                : "after " + recoveredAfterRestartMs + " ms");
        soft.assertThat(recoveredMs)
                .as("ms from remounting read-write until a line reached talker.log (null: never in 15 s)")
                .isNotNull();
        soft.assertAll();
    }

    // ---------------------------------------------------------------- ulimit -n 64

    @Test
    void underALowDescriptorLimitWhatCannotStartSaysWhyTheRestRunsAndStartWorksOnceDescriptorsAreFree()
            throws Exception {
        int count = 16;
        StringBuilder yaml = new StringBuilder("processes:\n");
        for (int i = 1; i <= count; i++) {
            yaml.append("  p").append(i).append(": {command: \"sh tick.sh\", backoff: {initial: 200ms, max: 1s}}\n");
        }
        Files.writeString(dir.resolve("tick.sh"), """
                i=0
                while :; do i=$((i + 1)); echo "tick $i"; sleep 0.2; done
                """);
        Files.writeString(dir.resolve("drover.yaml"), yaml.toString());
        drover = new DaemonHarness(dir).wrapUpWith("ulimit -n 64 && exec \"$0\" \"$@\"");
        DaemonHarness.Result up = drover.up("--timeout", "30s");
        assertThat(drover.daemon()).as("a daemon started: " + up).isNotNull();
        assertThat(Files.readString(
                        Path.of("/proc", Integer.toString(drover.daemon().pid()), "limits")))
                .containsPattern("Max open files\\s+64\\s+64");
        // `up -d` returns at the first fatal one: wait until every process has settled.
        Waits.until(
                Duration.ofSeconds(30),
                "every process running or fatal",
                () -> drover.processes().values().stream()
                        .allMatch(p -> p.get("state").asText().equals("running")
                                || p.get("state").asText().equals("fatal")),
                drover::describe);
        Map<String, JsonNode> processes = drover.processes();
        List<String> running = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        Map<String, ProcessRef> refs = new LinkedHashMap<>();
        processes.forEach((id, p) -> {
            if (p.get("state").asText().equals("running")) {
                running.add(id);
                ProcessRef ref = ProcessRef.of(p.get("pid").asInt());
                refs.put(id, ref);
                drover.track(ref);
            } else {
                failed.add(id);
            }
        });
        int fdsAtStart = drover.daemonOpenFds();
        System.out.printf(
                "[ulimit -n 64] %d processes: %d running, %d not (%s); daemon has %d descriptors open; `up -d`: %s%n",
                count,
                running.size(),
                failed.size(),
                failed,
                fdsAtStart,
                up.output().strip().replace('\n', ' '));
        assertThat(failed).as("the limit was hit").isNotEmpty();
        assertThat(running).as("most still started").hasSizeGreaterThanOrEqualTo(5);

        // Clear errors: `up -d`, `ps`, the daemon's log and `drover logs` say why.
        assertThat(up.exitCode()).isEqualTo(1);
        assertThat(up.output()).contains("Too many open files");
        String daemonLog = drover.daemonLogText();
        for (String id : failed) {
            JsonNode p = processes.get(id);
            assertThat(p.toString()).as(id + " in ps --json").contains("Too many open files");
            assertThat(daemonLog).containsPattern(Pattern.quote(id) + ": .*Too many open files");
            assertThat(drover.run("logs", "-n", "5", id).output()).contains("Too many open files");
        }

        // The others keep running, with the same PIDs, and their lines reach their log files.
        Map<String, Integer> lastLines = new LinkedHashMap<>();
        for (String id : running) {
            lastLines.put(id, lastTick(id));
        }
        Waits.until(
                Duration.ofSeconds(20),
                "5 more ticks in the log file of each running process",
                () -> running.stream().allMatch(id -> lastTick(id) > lastLines.get(id) + 5),
                () -> "last ticks before: " + lastLines + ", now: " + lastTicks(running) + "\n" + drover.describe());
        Map<String, JsonNode> now = drover.processes();
        for (String id : running) {
            assertThat(now.get(id).get("pid").asInt())
                    .as(id + " same PID")
                    .isEqualTo(refs.get(id).pid());
            assertThat(refs.get(id).isRunning()).isTrue();
        }

        // Free descriptors by stopping three processes (3 descriptors each; a spawn briefly needs 4
        // more); two failed ones then start.
        List<String> toStop = running.subList(running.size() - 3, running.size());
        List<String> toStart = failed.subList(0, Math.min(2, failed.size()));
        DaemonHarness.Result stop = drover.run(concat("stop", toStop));
        assertThat(stop.exitCode()).as(stop.toString()).isZero();
        Waits.until(
                Duration.ofSeconds(30),
                toStop + " to stop",
                () -> toStop.stream().allMatch(id -> drover.state(id).equals("stopped")),
                drover::describe);
        long startAt = System.nanoTime();
        DaemonHarness.Result start = drover.run(concat("start", toStart));
        assertThat(start.exitCode()).as(start.toString()).isZero();
        Waits.until(
                Duration.ofSeconds(30),
                toStart + " to run",
                () -> toStart.stream().allMatch(id -> drover.state(id).equals("running")),
                drover::describe);
        toStart.forEach(id -> drover.track(ProcessRef.of(drover.pid(id))));
        Waits.until(
                Duration.ofSeconds(20),
                "tick 3 in the log files of " + toStart,
                () -> toStart.stream().allMatch(id -> lastTick(id) >= 3),
                () -> "last ticks: " + lastTicks(toStart) + "\n" + drover.describe());
        System.out.printf(
                "[ulimit -n 64] after stopping %s, %s started and logged within %d ms%n",
                toStop, toStart, (System.nanoTime() - startAt) / 1_000_000);

        // And `down` still stops everything.
        List<ProcessRef> all = new ArrayList<>();
        drover.processes().values().forEach(p -> {
            if (p.get("pid").asInt() > 0) {
                all.add(ProcessRef.of(p.get("pid").asInt()));
            }
        });
        DaemonHarness.Result down = drover.run("down");
        assertThat(down.exitCode()).as(down.toString()).isZero();
        assertThat(all).noneMatch(r -> r != null && r.isRunning());
    }

    // ---------------------------------------------------------------- a crash while descriptors are short

    @Test
    void aServiceThatCrashesWhileDescriptorsAreShortIsRestartedOnceTheyAreBack() throws Exception {
        Files.writeString(dir.resolve("tick.sh"), """
                i=0
                while :; do i=$((i + 1)); echo "tick $i"; sleep 0.2; done
                """);
        Files.writeString(dir.resolve("drover.yaml"), """
                processes:
                  victim: {command: "sh tick.sh", backoff: {initial: 200ms, max: 1s}}
                  bystander: {command: "sh tick.sh"}
                """);
        drover = new DaemonHarness(dir);
        DaemonHarness.Result up = drover.up();
        assertThat(up.exitCode()).as(up.toString()).isZero();
        ProcessRef daemon = drover.daemon();
        ProcessRef victim = ProcessRef.of(drover.pid("victim"));
        ProcessRef bystander = ProcessRef.of(drover.pid("bystander"));
        drover.track(victim);
        drover.track(bystander);
        Matcher original = Pattern.compile("Max open files\\s+(\\d+)\\s+(\\d+)")
                .matcher(Files.readString(Path.of("/proc", Integer.toString(daemon.pid()), "limits")));
        assertThat(original.find()).isTrue();

        // No descriptor to spare (as with many services under a low limit): once the daemon's
        // descriptors are settled (connections of earlier CLI calls may still be closing), the soft
        // limit is set to the lowest free descriptor number, so every number below it is taken. Then
        // the victim crashes: its exit frees its pidfd and, once its last `sleep` is gone, its two
        // pipes: three numbers, fewer than a spawn needs (two pipes, four descriptors, then a pidfd).
        java.util.SortedSet<Integer> fds = settledFds(daemon);
        int open = fds.size();
        int limit = lowestFree(fds);
        setNofile(daemon, limit, Integer.parseInt(original.group(2)));
        Signals.send(victim, Signals.SIGKILL);
        String[] seen = new String[1];
        Long settledMs = awaitMillis(
                Duration.ofSeconds(20),
                "the crash to be dealt with (fatal, a retry or a new pid)",
                () -> {
                    String log = drover.daemonLogText();
                    seen[0] = grep(log, "victim: ");
                    return log.contains("victim: fatal")
                            || log.contains("Too many open files; restarting")
                            || log.matches("(?s).*victim: started \\(pid (?!" + victim.pid() + "\\)).*");
                },
                () -> "the daemon's log about the victim:" + grep(drover.daemonLogText(), "victim: "));
        // The shortage ends.
        setNofile(daemon, Integer.parseInt(original.group(1)), Integer.parseInt(original.group(2)));
        Long runningMs = awaitMillis(
                Duration.ofSeconds(30),
                "the victim to run again",
                () -> {
                    try {
                        return drover.state("victim").equals("running");
                    } catch (AssertionError e) {
                        return false; // no answer yet
                    }
                },
                drover::describe);
        Map<String, JsonNode> now = drover.processes();
        drover.track(ProcessRef.of(now.get("victim").get("pid").asInt()));
        System.out.printf(
                "[crash while fds are short] open %d, soft limit %d (lowest free number); after the crash (%s ms): %s;%n  after the limit was raised: victim %s, reason %s;"
                        + " running again: %s%n",
                open,
                limit,
                settledMs,
                seen[0],
                now.get("victim").get("state").asText(),
                now.get("victim").path("reason").asText(),
                runningMs == null ? "no (30 s)" : "after " + runningMs + " ms");
        SoftAssertions soft = new SoftAssertions();
        soft.assertThat(bystander.isRunning()).as("the bystander keeps running").isTrue();
        soft.assertThat(runningMs)
                .as("the crashed service runs again once descriptors are back (a transient EMFILE at restart"
                        + " should be retried with backoff, not be fatal at once); daemon log:"
                        + grep(drover.daemonLogText(), "victim"))
                .isNotNull();
        soft.assertAll();
    }

    // ---------------------------------------------------------------- an exhausted descriptor table

    @ParameterizedTest(name = "cgroups {0}")
    @ValueSource(strings = {"auto", "off"})
    void withItsDescriptorTableExhaustedTheDaemonSaysSoRecoversAndStillStopsEveryEscapee(String cgroups)
            throws Exception {
        Path pids = Files.createDirectories(dir.resolve("pids"));
        Files.writeString(dir.resolve("lib.sh"), """
                rec() {
                    _s=$(cat /proc/$1/stat) || return 0
                    _r=${_s##*) }
                    set -- "$1" "$2" $_r
                    echo "$1 ${22} $2" >> %s/recorded
                }
                """.formatted(pids));
        Files.writeString(dir.resolve("leaf.sh"), ". ./lib.sh\nrec $$ \"$1\"\nexec sleep 300\n");
        // Both ignore SIGTERM, so that no exit frees descriptors before the stop timeout: the table
        // stays exhausted for the whole stop.
        Files.writeString(dir.resolve("esc.sh"), """
                . ./lib.sh
                rec $$ main
                setsid -f sh leaf.sh escapee
                trap '' TERM
                setsid -f sh leaf.sh escapee-ignoring-term
                exec sleep 300
                """);
        writeTalker();
        Files.writeString(dir.resolve("drover.yaml"), """
                processes:
                  esc: {command: "sh esc.sh", stop_timeout: 2s}
                  talker: {command: "trap '' TERM; exec sh talk.sh", stop_timeout: 2s}
                """);
        drover = new DaemonHarness(dir).env("DROVER_CGROUPS", cgroups.equals("off") ? "off" : null);
        DaemonHarness.Result up = drover.up();
        assertThat(up.exitCode()).as(up.toString()).isZero();
        ProcessRef daemon = drover.daemon();
        int talker = drover.pid("talker");
        drover.track(ProcessRef.of(talker));
        Path recordedFile = pids.resolve("recorded");
        Waits.until(
                Duration.ofSeconds(20),
                "three processes recorded",
                () -> Files.exists(recordedFile)
                        && Files.readAllLines(recordedFile).size() == 3,
                () -> Describe.file(recordedFile) + drover.describe());
        List<ProcessRef> recorded = new ArrayList<>();
        for (String line : Files.readAllLines(recordedFile)) {
            String[] f = line.split(" ");
            recorded.add(new ProcessRef(Integer.parseInt(f[0]), Long.parseLong(f[1])));
        }
        recorded.add(ProcessRef.of(talker));
        drover.trackAll(recorded);
        Path logs = dir.resolve(".drover/logs");

        // Exhaust the table as a flood of clients would: the soft limit just above the daemon's
        // highest descriptor, then event streams held open until the daemon turns one away. (The
        // hard limit stays: raising it again would need CAP_SYS_RESOURCE.)
        String limits = Files.readString(Path.of("/proc", Integer.toString(daemon.pid()), "limits"));
        Matcher original = Pattern.compile("Max open files\\s+(\\d+)\\s+(\\d+)").matcher(limits);
        assertThat(original.find()).isTrue();
        int hard = Integer.parseInt(original.group(2));
        int open = drover.daemonOpenFds();
        long logBefore = Files.size(drover.daemonLog());
        HeldClients flood = HeldClients.exhaust(daemon, hard, drover.runtime().resolve("drover.sock"));
        int limit = flood.limit();
        // The children keep running and logging (their pipes and log files are open already).
        int lastTalk = lastTalk(logs);
        boolean talkerLogs = awaitMillis(
                        Duration.ofSeconds(10),
                        "10 more talker lines in its log file",
                        () -> lastTalk(logs) > lastTalk + 10,
                        () -> "last talk in the file: " + lastTalk(logs) + " (was " + lastTalk + ")\n"
                                + Describe.directory(logs))
                != null;
        // One client: the answer, or a clear error, and the daemon's log and CPU while it waits.
        long ticksBefore = cpuTicks(daemon);
        long logAtPs = Files.size(drover.daemonLog());
        DaemonHarness.Result ps = drover.attempt(Duration.ofSeconds(5), "ps");
        long logGrowth = Files.size(drover.daemonLog()) - logAtPs;
        double cpu = (cpuTicks(daemon) - ticksBefore) / (ps.took().toMillis() / 10.0) * 100;
        String exhaustedLog = grepFile(drover.daemonLog(), logBefore, "Too many open files|cannot read /proc|failed");

        SoftAssertions soft = new SoftAssertions();
        soft.assertThat(ps.exitCode() == 0 || ps.output().contains("Too many open files"))
                .as("`drover ps` answers, or says why it cannot (CLI: " + ps + ")")
                .isTrue();
        soft.assertThat(exhaustedLog).as("the daemon's log says what is short").contains("Too many open files");
        soft.assertThat(logGrowth)
                .as(String.format(
                                "bytes the daemon's log grew in the %d ms one `drover ps` waited (the log must not be"
                                        + " flooded; daemon CPU meanwhile %.0f%%); what it wrote:",
                                ps.took().toMillis(), cpu)
                        + exhaustedLog)
                .isLessThan(1024 * 1024);
        soft.assertThat(talkerLogs)
                .as("the talker's lines still reach its log file")
                .isTrue();
        soft.assertThat(ProcessRef.of(talker))
                .as("the talker keeps running with the same PID")
                .isNotNull();

        // The condition clears: the clients go, the limit is back, the API answers again.
        flood.close();
        setNofile(daemon, Integer.parseInt(original.group(1)), hard);
        Long answeredMs = awaitMillis(
                Duration.ofSeconds(30),
                "drover ps to answer",
                () -> drover.attempt(Duration.ofSeconds(10), "ps").exitCode() == 0,
                () -> "daemon " + Describe.process(daemon) + "\n" + Describe.file(drover.daemonLog()));
        soft.assertThat(answeredMs)
                .as("ms until `drover ps` answers again after the limit was raised")
                .isNotNull();
        if (answeredMs != null) {
            soft.assertThat(drover.pid("talker"))
                    .as("the talker's PID after the trouble")
                    .isEqualTo(talker);
        }

        // Exhausted again, and the daemon is told to stop (SIGTERM, as systemd or Ctrl-C would).
        int openAtStop = drover.daemonOpenFds();
        long logBeforeStop = Files.size(drover.daemonLog());
        boolean exited;
        long stopAt;
        int limitAtStop;
        try (HeldClients atStop =
                HeldClients.exhaust(daemon, hard, drover.runtime().resolve("drover.sock"))) {
            limitAtStop = atStop.limit();
            stopAt = System.nanoTime();
            Signals.send(daemon, Signals.SIGTERM);
            exited = DaemonHarness.waitGone(daemon, Duration.ofSeconds(60));
        }
        long stopMs = (System.nanoTime() - stopAt) / 1_000_000;
        List<ProcessRef> survivors =
                recorded.stream().filter(ProcessRef::isRunning).toList();
        String stopLog = grepFile(drover.daemonLog(), logBeforeStop, ".");
        System.out.printf(
                "[exhausted fds, cgroups=%s] open %d, soft limit %d (just above its highest descriptor), then %d event streams held;"
                        + " talker kept logging: %s;"
                        + " `ps` while exhausted: exit %d after %d ms, \"%s\"; meanwhile the daemon's log grew %d bytes and the daemon used %.0f%% CPU;"
                        + " what it logged while exhausted (repeats counted):%s%n  `ps` answered %s after the limit was raised;"
                        + " SIGTERM with %d open, soft limit %d: daemon exited %s after %d ms; recorded processes still running: %s; the daemon's last words:%s%n",
                cgroups,
                open,
                limit,
                flood.channels().size(),
                talkerLogs,
                ps.exitCode(),
                ps.took().toMillis(),
                ps.output().strip().replace('\n', ' '),
                logGrowth,
                cpu,
                exhaustedLog,
                answeredMs == null ? "never" : answeredMs + " ms",
                openAtStop,
                limitAtStop,
                exited,
                stopMs,
                survivors,
                stopLog);
        soft.assertThat(exited).as("the daemon exits on SIGTERM").isTrue();
        soft.assertThat(survivors)
                .as("processes the service started that outlived the daemon's stop (fd table exhausted);"
                        + " daemon log:" + stopLog)
                .isEmpty();
        soft.assertAll();
    }

    // ------------------------------------------------------------------------------------------

    private void writeTalker() throws IOException {
        // ~10 KB/s of numbered lines, each padded to ~200 bytes.
        Files.writeString(dir.resolve("talk.sh"), """
                pad=$(head -c 180 /dev/zero | tr '\\0' p)
                i=0
                while :; do i=$((i + 1)); echo "talk $i $pad"; sleep 0.02; done
                """);
    }

    /** `drover restart talker`; ms until the new process's "started (pid N)" is in talker.log, or null (15 s). */
    private Long restartAndAwaitItInTheFile(Path logs, int oldPid) {
        DaemonHarness.Result restart = drover.run("restart", "talker");
        assertThat(restart.exitCode()).as(restart.toString()).isZero();
        long start = System.nanoTime();
        Waits.until(
                Duration.ofSeconds(30),
                "talker to run again (not pid " + oldPid + ")",
                () -> drover.state("talker").equals("running") && drover.pid("talker") != oldPid,
                drover::describe);
        int newPid = drover.pid("talker");
        drover.track(ProcessRef.of(newPid));
        Long ms = awaitMillis(
                Duration.ofSeconds(15),
                "started (pid " + newPid + ") in talker.log",
                () -> {
                    try {
                        return Files.readString(logs.resolve("talker.log"), StandardCharsets.ISO_8859_1)
                                .contains("started (pid " + newPid + ")");
                    } catch (IOException e) {
                        return false;
                    }
                },
                () -> Describe.file(logs.resolve("talker.log")));
        return ms == null ? null : (System.nanoTime() - start) / 1_000_000;
    }

    /**
     * Clients holding event streams open on the daemon's socket, taken until the daemon has no
     * descriptor left for the next one and answers it 503. First the soft limit is set just above the
     * daemon's highest descriptor, so every number under it is then in use, as in a real exhaustion.
     */
    private record HeldClients(int limit, List<java.nio.channels.SocketChannel> channels) implements AutoCloseable {
        static HeldClients exhaust(ProcessRef daemon, int hard, Path socket) throws Exception {
            int limit = settledFds(daemon).last() + 1;
            setNofile(daemon, limit, hard);
            List<java.nio.channels.SocketChannel> channels = new ArrayList<>();
            HeldClients held = new HeldClients(limit, channels);
            for (int i = 0; i < 256; i++) {
                java.nio.channels.SocketChannel channel =
                        java.nio.channels.SocketChannel.open(java.net.StandardProtocolFamily.UNIX);
                channels.add(channel);
                channel.connect(java.net.UnixDomainSocketAddress.of(socket));
                channel.write(java.nio.ByteBuffer.wrap(
                        "GET /api/events HTTP/1.1\r\nHost: drover\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
                String status = statusLine(channel);
                if (status.startsWith("HTTP/1.1 503")) {
                    return held;
                }
                if (!status.startsWith("HTTP/1.1 200")) {
                    held.close();
                    throw new AssertionError("an event stream was answered: " + status);
                }
            }
            held.close();
            throw new AssertionError("256 event streams, and the daemon still had descriptors to spare");
        }

        private static String statusLine(java.nio.channels.SocketChannel channel) throws Exception {
            return java.util.concurrent.CompletableFuture.supplyAsync(
                            () -> {
                                StringBuilder line = new StringBuilder();
                                java.nio.ByteBuffer one = java.nio.ByteBuffer.allocate(1);
                                try {
                                    while (line.indexOf("\r\n") < 0 && channel.read(one.clear()) > 0) {
                                        line.append((char) one.get(0));
                                    }
                                } catch (IOException e) {
                                    line.append(" (").append(e.getMessage()).append(')');
                                }
                                return line.toString().strip();
                            },
                            java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor())
                    .get(10, TimeUnit.SECONDS);
        }

        @Override
        public void close() {
            for (java.nio.channels.SocketChannel channel : channels) {
                try {
                    channel.close();
                } catch (IOException e) {
                    // closed either way
                }
            }
        }
    }

    /** The daemon's descriptor numbers once two looks half a second apart agree. */
    private static java.util.SortedSet<Integer> settledFds(ProcessRef daemon) {
        java.util.SortedSet<Integer>[] last = new java.util.SortedSet[] {fdNumbers(daemon)};
        Awaits.until(
                await().atMost(Duration.ofSeconds(20))
                        .pollDelay(Duration.ofMillis(500))
                        .pollInterval(Duration.ofMillis(500)),
                "the daemon's descriptors to stay the same for half a second",
                () -> {
                    java.util.SortedSet<Integer> now = fdNumbers(daemon);
                    boolean same = now.equals(last[0]);
                    last[0] = now;
                    return same;
                },
                () -> "daemon " + Describe.process(daemon) + ", its descriptors at the last look: " + last[0]);
        return last[0];
    }

    /** The lowest descriptor number not in use: as a soft limit, it leaves no descriptor free. */
    private static int lowestFree(java.util.SortedSet<Integer> fds) {
        int n = 0;
        while (fds.contains(n)) {
            n++;
        }
        return n;
    }

    private static java.util.SortedSet<Integer> fdNumbers(ProcessRef process) {
        java.util.SortedSet<Integer> numbers = new java.util.TreeSet<>();
        try (var fds = Files.list(Path.of("/proc", Integer.toString(process.pid()), "fd"))) {
            fds.forEach(f -> numbers.add(Integer.parseInt(f.getFileName().toString())));
        } catch (IOException e) {
            // gone
        }
        return numbers;
    }

    /** The highest talk number in talker.log and its rotated files; 0 when none. */
    private int lastTalk(Path logs) {
        int last = 0;
        for (String name : List.of("talker.log", "talker.log.1")) {
            try {
                Matcher m = TALK.matcher(Files.readString(logs.resolve(name), StandardCharsets.ISO_8859_1));
                while (m.find()) {
                    last = Math.max(last, Integer.parseInt(m.group(1)));
                }
            } catch (IOException e) {
                // not there (yet), or rotated away just now
            }
        }
        return last;
    }

    /** The highest talk number `drover logs` shows (the in-memory ring, which does not depend on the disk). */
    private int lastTalkInRing() {
        DaemonHarness.Result logs = drover.run("logs", "-n", "50", "talker");
        Matcher m = TALK.matcher(logs.output());
        int last = 0;
        while (m.find()) {
            last = Math.max(last, Integer.parseInt(m.group(1)));
        }
        return last;
    }

    private int lastTick(String id) {
        try {
            List<String> lines = Files.readAllLines(dir.resolve(".drover/logs/" + id + ".log"));
            int last = 0;
            for (String line : lines) {
                int at = line.indexOf(" tick ");
                if (at > 0) {
                    last = Math.max(
                            last, Integer.parseInt(line.substring(at + 6).trim()));
                }
            }
            return last;
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
    }

    /**
     * Waits for {@code text} in the daemon's log, `drover logs ID` or `drover ps`; returns where it
     * was found first, or null.
     */
    private String awaitError(String text, Duration timeout, String id) {
        String[] where = new String[1];
        try {
            await().atMost(timeout).pollInterval(Duration.ofMillis(300)).until(() -> {
                if (drover.daemonLogText().contains(text)) {
                    where[0] = "daemon log";
                } else if (drover.run("logs", "-n", "200", id).output().contains(text)) {
                    where[0] = "drover logs";
                } else if (drover.run("ps").output().contains(text)) {
                    where[0] = "drover ps";
                }
                return where[0] != null;
            });
        } catch (ConditionTimeoutException e) {
            return null;
        }
        return where[0];
    }

    /**
     * Ms until {@code condition} holds, or null when it does not within {@code timeout}: then what
     * was seen is printed (the caller reports the null as a finding).
     */
    private static Long awaitMillis(
            Duration timeout, String what, java.util.concurrent.Callable<Boolean> condition, Waits.Seen seen) {
        long start = System.nanoTime();
        try {
            Awaits.until(await().atMost(timeout).pollInterval(Duration.ofMillis(100)), what, condition, seen);
            return (System.nanoTime() - start) / 1_000_000;
        } catch (AssertionError e) {
            if (!(e.getCause() instanceof ConditionTimeoutException)) {
                throw e; // the condition itself failed
            }
            System.out.println("[resource trouble] " + e.getMessage());
            return null;
        }
    }

    private Map<String, Integer> lastTicks(List<String> ids) {
        Map<String, Integer> ticks = new LinkedHashMap<>();
        for (String id : ids) {
            ticks.put(id, lastTick(id));
        }
        return ticks;
    }

    /** Fills the file system of {@code file} with it; returns the bytes written. */
    private static long fill(Path file) throws IOException {
        long written = 0;
        try (FileOutputStream out = new FileOutputStream(file.toFile())) {
            for (int chunk : new int[] {64 * 1024, 4096, 512, 1}) {
                byte[] bytes = new byte[chunk];
                try {
                    while (true) {
                        out.write(bytes);
                        written += chunk;
                    }
                } catch (IOException e) {
                    if (!String.valueOf(e.getMessage()).contains("No space left")) {
                        throw e;
                    }
                }
            }
        }
        return written;
    }

    private Path mountTmpfs(String name, String size) throws IOException {
        Path mount = Files.createDirectories(dir.resolve(name));
        assertThat(sh("mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", mount.toString()))
                .as("mount tmpfs (needs root)")
                .isZero();
        mounts.add(mount);
        return mount;
    }

    private static void setNofile(ProcessRef process, int soft, int hard) {
        assertThat(sh("prlimit", "--pid", Integer.toString(process.pid()), "--nofile=" + soft + ":" + hard))
                .as("prlimit")
                .isZero();
    }

    private static int sh(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return -1;
            }
            if (p.exitValue() != 0) {
                System.err.println("[" + String.join(" ", command) + "] exit " + p.exitValue() + ": " + out);
            }
            return p.exitValue();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static String list(Path dir) {
        try (var files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).sorted().toList().toString();
        } catch (IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }

    /** CPU time (user + system) of a process in clock ticks, or 0 when it is gone. */
    private static long cpuTicks(ProcessRef process) {
        try {
            String stat = Files.readString(Path.of("/proc", Integer.toString(process.pid()), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /**
     * The lines of {@code file} from byte {@code from} on that match {@code regex}, read as a stream
     * (the file may be large), timestamps cut, each distinct line once with how often it came.
     */
    private static String grepFile(Path file, long from, String regex) {
        Pattern p = Pattern.compile(regex);
        Map<String, Integer> counts = new LinkedHashMap<>();
        try (var in = new java.io.BufferedReader(
                new java.io.InputStreamReader(Files.newInputStream(file), StandardCharsets.ISO_8859_1), 1 << 16)) {
            in.skip(from);
            String line;
            while ((line = in.readLine()) != null) {
                if (p.matcher(line).find()) {
                    String key = line.replaceFirst("^\\d{4}-\\d\\d-\\d\\d[T ][0-9:.]+Z?:? ?", "");
                    key = key.length() > 200 ? key.substring(0, 200) + "…" : key;
                    counts.merge(key, 1, Integer::sum);
                }
            }
        } catch (IOException e) {
            return " (cannot read " + file + ": " + e.getMessage() + ")";
        }
        StringBuilder out = new StringBuilder();
        counts.entrySet().stream()
                .limit(25)
                .forEach(e -> out.append("\n    ")
                        .append(e.getValue() > 1 ? e.getValue() + " × " : "")
                        .append(e.getKey()));
        if (counts.size() > 25) {
            out.append("\n    … and ").append(counts.size() - 25).append(" more distinct lines");
        }
        return out.toString();
    }

    private static String grep(String text, String regex) {
        Pattern p = Pattern.compile(regex);
        StringBuilder out = new StringBuilder();
        for (String line : text.split("\n")) {
            if (p.matcher(line).find()) {
                out.append("\n    ").append(line.length() > 300 ? line.substring(0, 300) + "…" : line);
            }
        }
        return out.toString();
    }

    private static String[] concat(String first, List<String> rest) {
        List<String> all = new ArrayList<>();
        all.add(first);
        all.addAll(rest);
        return all.toArray(String[]::new);
    }
}
