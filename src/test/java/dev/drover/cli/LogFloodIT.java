package dev.drover.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.drover.Awaits;
import dev.drover.Describe;
import dev.drover.Waits;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Children that flood their output — ~200 MB/s of 100-byte lines, one 1 GiB line without a
 * newline, 50 MB of binary garbage and invalid UTF-8 — next to a quiet process that prints a
 * numbered line every 100 ms. The daemon's memory stays bounded, the quiet process loses nothing,
 * the daemon keeps answering, rotation keeps exactly {@code keep} files, and the long line comes out
 * in 64 KiB pieces.
 *
 * <p>The RSS bound: the daemon runs with {@code -Xmx64m}, a 64 MB metaspace cap and a 16 MB code
 * cache (Background.DAEMON_JVM_OPTIONS); idle it sits at about 80 MB. 400 MiB leaves room for
 * thread stacks, malloc arenas and direct buffers on a loaded machine, yet a daemon that buffered the
 * 1 GiB line, a rotated file or an unbounded backlog of a 200 MB/s stream would pass it within a
 * few seconds.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class LogFloodIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long RSS_BOUND_KIB = 400 * 1024;
    private static final long MAX_SIZE = 1024 * 1024; // log: {max_size: 1MB}; 1 KB = 1024 bytes (docs/configuration.md)
    private static final int KEEP = 3;
    private static final int PIECE = 64 * 1024;
    /** "2026-11-23T13:35:52.072Z " */
    private static final int TIMESTAMP = 25;

    private static final Pattern QUIET = Pattern.compile("^(\\S+) quiet (\\d+) (\\d+)$");
    private static final Pattern DONE = Pattern.compile("flood-done bytes=(\\d+) seconds=([0-9.]+)");

    @TempDir
    Path dir;

    private DaemonHarness drover;
    private Sampler sampler;

    @AfterEach
    void cleanUp() {
        if (sampler != null) {
            sampler.stop();
        }
        if (drover != null) {
            drover.close();
        }
    }

    @Test
    void aFloodOfShortLinesLeavesMemoryBoundedTheQuietLogWholeAndExactlyKeepRotatedFiles() throws Exception {
        Files.writeString(dir.resolve("flood.py"), """
                import os, sys, time
                block = (b"f" * 99 + b"\\n") * 655
                seconds = float(sys.argv[1])
                start = time.monotonic()
                end = start + seconds
                n = 0
                while time.monotonic() < end:
                    n += os.write(1, block)
                os.write(1, ("flood-done bytes=%d seconds=%.3f\\n" % (n, time.monotonic() - start)).encode())
                """);
        writeQuiet();
        Files.writeString(dir.resolve("drover.yaml"), """
                processes:
                  flood:
                    command: "python3 flood.py 10; exec sleep 300"
                    log: {max_size: 1MB, keep: 3}
                  quiet:
                    command: "sh quiet.sh"
                """);
        long usableBefore = Files.getFileStore(dir).getUsableSpace();
        drover = new DaemonHarness(dir);
        DaemonHarness.Result up = drover.up();
        assertThat(up.exitCode()).as(up.toString()).isZero();
        long idleRss = drover.daemonRssKiB();
        sampler = Sampler.start(drover, dir.resolve(".drover/logs"), "flood.log");

        // The API answers during the flood.
        List<Long> apiMillis = new ArrayList<>();
        Path floodLog = dir.resolve(".drover/logs/flood.log");
        while (!contains(floodLog, "flood-done")) {
            DaemonHarness.Result ps = drover.run("ps", "--json");
            assertThat(ps.exitCode()).as(ps.toString()).isZero();
            assertThat(JSON.readTree(ps.output()).get("processes")).hasSize(2);
            apiMillis.add(ps.took().toMillis());
            DaemonHarness.Result logs = drover.run("logs", "-n", "3", "flood");
            assertThat(logs.exitCode()).as(logs.toString()).isZero();
            assertThat(apiMillis.size()).as("the flood (10 s) ended").isLessThan(100);
        }
        Matcher done = DONE.matcher(Files.readString(floodLog));
        assertThat(done.find()).isTrue();
        double mbPerSecond = Long.parseLong(done.group(1)) / 1e6 / Double.parseDouble(done.group(2));
        // A few more quiet lines after the flood, then stop it, so its log is complete.
        int quietBeforeStop = lastQuietNumber();
        Waits.until(
                Duration.ofSeconds(20),
                "5 more quiet lines after quiet " + quietBeforeStop,
                () -> lastQuietNumber() >= quietBeforeStop + 5,
                () -> "last quiet number in quiet.log: " + lastQuietNumber() + "\n"
                        + Describe.directory(dir.resolve(".drover/logs")) + drover.describe());
        sampler.stop();
        assertThat(drover.daemon().isRunning()).as("daemon alive").isTrue();

        QuietCheck quiet = checkQuiet();
        List<Path> rotated = rotatedFiles("flood.log");
        long logDirBytes = directorySize(dir.resolve(".drover/logs"));
        long usableAfter = Files.getFileStore(dir).getUsableSpace();
        System.out.printf(
                "[flood short lines] writer %.0f MB/s for %s s; daemon RSS idle %d KiB, max during flood %d KiB (%d samples, bound %d KiB);"
                        + " ps during flood: %d calls, max %d ms; quiet lines %d (file) / %d (drover logs), lost %d, max lag %d ms;"
                        + " rotated files now %s, most seen at once %d, highest index seen %d; log dir %d bytes; df usable before %d MB, after %d MB%n",
                mbPerSecond,
                done.group(2),
                idleRss,
                sampler.maxRss.get(),
                sampler.samples.get(),
                RSS_BOUND_KIB,
                apiMillis.size(),
                apiMillis.stream().mapToLong(Long::longValue).max().orElse(0),
                quiet.fileLines,
                quiet.ringLines,
                quiet.lost,
                quiet.maxLagMs,
                sizes(rotated),
                sampler.mostRotated.get(),
                sampler.highestIndex.get(),
                logDirBytes,
                usableBefore >> 20,
                usableAfter >> 20);

        assertThat(sampler.maxRss.get())
                .as("daemon VmRSS during the flood, KiB")
                .isLessThan(RSS_BOUND_KIB);
        assertThat(quiet.lost).as("quiet lines missing or out of order").isZero();
        assertRotation(rotated, "flood.log");
        assertThat(sampler.highestIndex.get())
                .as("a rotated file beyond keep was seen during the flood")
                .isLessThanOrEqualTo(KEEP);
        assertThat(logDirBytes).as("disk used by the logs").isLessThan((KEEP + 1) * MAX_SIZE + 10 * MAX_SIZE);
        assertThat(drover.daemonLogText()).doesNotContain("Exception").doesNotContain("internal error");
    }

    @Test
    void aOneGigabyteLineComesOutIn64KiBPiecesAndBinaryGarbageBreaksNothing() throws Exception {
        Files.writeString(dir.resolve("longline.sh"), """
                head -c 1G /dev/zero | tr '\\0' x
                printf 'TAIL\\n'
                echo longline-done
                exec sleep 300
                """);
        // 50 MB of random bytes with a marker line of invalid UTF-8, a NUL and an escape every 256 KiB.
        Files.writeString(dir.resolve("garbage.py"), """
                import os
                marker = b"\\xff\\xfe\\xc3\\x28\\xed\\xa0\\x80\\x00\\x1b[31m END\\n"
                written = 0
                k = 0
                while written < 50 * 1024 * 1024:
                    chunk = os.urandom(256 * 1024)
                    os.write(1, chunk)
                    k += 1
                    os.write(1, b"\\nMARK-%d " % k + marker)
                    written += len(chunk)
                os.write(1, b"garbage-done\\n")
                """);
        writeQuiet();
        Files.writeString(dir.resolve("drover.yaml"), """
                processes:
                  longline:
                    command: "sh longline.sh"
                    log: {max_size: 1MB, keep: 3}
                  garbage:
                    command: "python3 garbage.py; exec sleep 300"
                    log: {max_size: 1MB, keep: 3}
                  quiet:
                    command: "sh quiet.sh"
                """);
        long usableBefore = Files.getFileStore(dir).getUsableSpace();
        drover = new DaemonHarness(dir);
        DaemonHarness.Result up = drover.up();
        assertThat(up.exitCode()).as(up.toString()).isZero();
        long idleRss = drover.daemonRssKiB();
        sampler = Sampler.start(drover, dir.resolve(".drover/logs"), "longline.log");
        long start = System.nanoTime();
        Path longLog = dir.resolve(".drover/logs/longline.log");
        Path garbageLog = dir.resolve(".drover/logs/garbage.log");
        Awaits.until(
                await().atMost(Duration.ofSeconds(150)).pollInterval(Duration.ofMillis(500)),
                "longline-done and garbage-done in their logs",
                () -> contains(longLog, "longline-done") && contains(garbageLog, "garbage-done"),
                () -> "longline-done: " + contains(longLog, "longline-done") + ", garbage-done: "
                        + contains(garbageLog, "garbage-done") + "\n" + Describe.directory(dir.resolve(".drover/logs"))
                        + drover.describe());
        double seconds = (System.nanoTime() - start) / 1e9;
        int quietBeforeStop = lastQuietNumber();
        Waits.until(
                Duration.ofSeconds(20),
                "5 more quiet lines after quiet " + quietBeforeStop,
                () -> lastQuietNumber() >= quietBeforeStop + 5,
                () -> "last quiet number in quiet.log: " + lastQuietNumber() + "\n"
                        + Describe.directory(dir.resolve(".drover/logs")) + drover.describe());
        sampler.stop();
        assertThat(drover.daemon().isRunning()).as("daemon alive").isTrue();

        // The API still answers, with valid JSON, about a process that wrote garbage.
        DaemonHarness.Result ps = drover.run("ps", "--json");
        assertThat(ps.exitCode()).as(ps.toString()).isZero();
        DaemonHarness.Result logs = drover.run("logs", "-n", "20", "garbage");
        assertThat(logs.exitCode()).as(logs.toString()).isZero();
        assertThat(logs.output()).contains("garbage | garbage-done");
        JsonNode apiLogs = apiLogs("garbage", 50);
        assertThat(apiLogs.toString()).contains("garbage-done");

        // The long line: every line of the rotated files is one full 64 KiB piece of x; the current
        // file ends with full pieces, then the 4-byte remainder "TAIL", then the next line.
        List<Path> rotatedLong = rotatedFiles("longline.log");
        assertRotation(rotatedLong, "longline.log");
        int piecesChecked = 0;
        byte[] piece = new byte[PIECE];
        Arrays.fill(piece, (byte) 'x');
        for (Path file : rotatedLong) {
            for (byte[] line : lines(Files.readAllBytes(file))) {
                assertThat(line.length)
                        .as("a piece of the long line in " + file.getFileName())
                        .isEqualTo(TIMESTAMP + PIECE);
                assertThat(Arrays.equals(line, TIMESTAMP, line.length, piece, 0, PIECE))
                        .as("piece content")
                        .isTrue();
                piecesChecked++;
            }
        }
        List<byte[]> current = lines(Files.readAllBytes(longLog));
        int tail = -1;
        for (int i = 0; i < current.size(); i++) {
            if (new String(current.get(i), StandardCharsets.ISO_8859_1).endsWith(" TAIL")) {
                tail = i;
            }
        }
        assertThat(tail).as("the remainder piece TAIL").isGreaterThanOrEqualTo(0);
        assertThat(current.get(tail).length).isEqualTo(TIMESTAMP + 4);
        assertThat(new String(current.get(tail + 1), StandardCharsets.ISO_8859_1))
                .endsWith(" longline-done");
        for (int i = 0; i < tail; i++) {
            byte[] line = current.get(i);
            if (new String(line, StandardCharsets.ISO_8859_1).contains("[drover]")) {
                continue;
            }
            assertThat(line.length).as("piece " + i + " of the current file").isEqualTo(TIMESTAMP + PIECE);
            assertThat(Arrays.equals(line, TIMESTAMP, line.length, piece, 0, PIECE))
                    .isTrue();
            piecesChecked++;
        }

        // Garbage: rotation holds, the file keeps the bytes as written, every line within 64 KiB.
        List<Path> rotatedGarbage = rotatedFiles("garbage.log");
        assertRotation(rotatedGarbage, "garbage.log");
        byte[] marker =
                " \u00ff\u00fe\u00c3\u0028\u00ed\u00a0\u0080\u0000\u001b[31m END".getBytes(StandardCharsets.ISO_8859_1);
        int markers = 0;
        int longest = 0;
        List<Path> garbageFiles = new ArrayList<>(rotatedGarbage);
        garbageFiles.add(garbageLog);
        for (Path file : garbageFiles) {
            for (byte[] line : lines(Files.readAllBytes(file))) {
                longest = Math.max(longest, line.length - TIMESTAMP);
                String text = new String(line, StandardCharsets.ISO_8859_1);
                if (text.length() > TIMESTAMP && text.substring(TIMESTAMP).startsWith("MARK-")) {
                    int space = text.indexOf(' ', TIMESTAMP);
                    assertThat(Arrays.copyOfRange(line, space, line.length))
                            .as("marker bytes in " + file.getFileName())
                            .isEqualTo(marker);
                    markers++;
                }
            }
        }
        QuietCheck quiet = checkQuiet();
        long logDirBytes = directorySize(dir.resolve(".drover/logs"));
        long usableAfter = Files.getFileStore(dir).getUsableSpace();
        System.out.printf(
                "[flood long line + garbage] both done in %.1f s (1 GiB line: %.0f MB/s); daemon RSS idle %d KiB, max %d KiB (%d samples, bound %d KiB);"
                        + " long-line pieces checked %d; rotated longline %s; rotated garbage %s; garbage markers found %d, longest garbage line %d bytes;"
                        + " quiet lines %d (file) / %d (drover logs), lost %d, max lag %d ms; log dir %d bytes; df usable before %d MB, after %d MB%n",
                seconds,
                1073.741824 / seconds,
                idleRss,
                sampler.maxRss.get(),
                sampler.samples.get(),
                RSS_BOUND_KIB,
                piecesChecked,
                sizes(rotatedLong),
                sizes(rotatedGarbage),
                markers,
                longest,
                quiet.fileLines,
                quiet.ringLines,
                quiet.lost,
                quiet.maxLagMs,
                logDirBytes,
                usableBefore >> 20,
                usableAfter >> 20);

        assertThat(sampler.maxRss.get())
                .as("daemon VmRSS during the floods, KiB")
                .isLessThan(RSS_BOUND_KIB);
        assertThat(piecesChecked).as("pieces of the long line checked").isGreaterThan(3 * 14);
        assertThat(markers).as("marker lines kept byte for byte").isGreaterThan(0);
        assertThat(longest).as("longest garbage line").isLessThanOrEqualTo(PIECE);
        assertThat(quiet.lost).as("quiet lines missing or out of order").isZero();
        assertThat(sampler.highestIndex.get()).isLessThanOrEqualTo(KEEP);
        assertThat(logDirBytes)
                .as("disk used by the logs (the 1 GiB line is not kept)")
                .isLessThan(2 * (KEEP + 1) * MAX_SIZE + 10 * MAX_SIZE);
        assertThat(drover.daemonLogText()).doesNotContain("Exception").doesNotContain("internal error");
    }

    // ------------------------------------------------------------------------------------------

    private void writeQuiet() throws IOException {
        Files.writeString(dir.resolve("quiet.sh"), """
                i=0
                while :; do
                    i=$((i + 1))
                    echo "quiet $i $(date +%s%3N)"
                    sleep 0.1
                done
                """);
    }

    private int lastQuietNumber() throws IOException {
        int last = 0;
        Path file = dir.resolve(".drover/logs/quiet.log");
        if (!Files.exists(file)) {
            return 0;
        }
        for (String line : Files.readAllLines(file, StandardCharsets.ISO_8859_1)) {
            Matcher m = QUIET.matcher(line);
            if (m.matches()) {
                last = Integer.parseInt(m.group(2));
            }
        }
        return last;
    }

    private record QuietCheck(int fileLines, int ringLines, int lost, long maxLagMs) {}

    /** Stops the quiet process, then checks its file and `drover logs`: every number once, in order. */
    private QuietCheck checkQuiet() throws Exception {
        DaemonHarness.Result stop = drover.run("stop", "quiet");
        assertThat(stop.exitCode()).as(stop.toString()).isZero();
        Waits.until(
                Duration.ofSeconds(30),
                "quiet to stop",
                () -> drover.state("quiet").equals("stopped"),
                drover::describe);
        List<Integer> numbers = new ArrayList<>();
        long maxLag = 0;
        for (String line : Files.readAllLines(dir.resolve(".drover/logs/quiet.log"), StandardCharsets.ISO_8859_1)) {
            Matcher m = QUIET.matcher(line);
            if (m.matches()) {
                numbers.add(Integer.parseInt(m.group(2)));
                maxLag = Math.max(maxLag, Instant.parse(m.group(1)).toEpochMilli() - Long.parseLong(m.group(3)));
            } else {
                assertThat(line).as("a line of quiet.log").contains("[drover]");
            }
        }
        int lost = 0;
        for (int i = 0; i < numbers.size(); i++) {
            if (numbers.get(i) != i + 1) {
                lost++;
            }
        }
        assertThat(numbers).as("quiet lines in its file").isNotEmpty();
        DaemonHarness.Result logs = drover.run("logs", "-n", "1000", "quiet");
        assertThat(logs.exitCode()).as(logs.toString()).isZero();
        List<Integer> ring = new ArrayList<>();
        for (String line : logs.output().split("\n")) {
            if (line.startsWith("quiet | quiet ")) {
                ring.add(Integer.parseInt(line.split(" ")[3]));
            }
        }
        int expectedInRing = Math.min(numbers.size(), 1000 - 3); // the ring holds 1000 lines, a few are drover's own
        assertThat(ring.size()).as("quiet lines via drover logs").isGreaterThanOrEqualTo(expectedInRing);
        int last = numbers.getLast();
        for (int i = 0; i < ring.size(); i++) {
            if (ring.get(i) != last - ring.size() + 1 + i) {
                lost++;
            }
        }
        return new QuietCheck(numbers.size(), ring.size(), lost, maxLag);
    }

    private JsonNode apiLogs(String id, int lines) throws Exception {
        Process curl = new ProcessBuilder(
                        "curl",
                        "-sS",
                        "--max-time",
                        "20",
                        "--unix-socket",
                        dir.resolve(".drover/drover.sock").toString(),
                        "http://localhost/api/processes/" + id + "/logs?lines=" + lines)
                .redirectErrorStream(true)
                .start();
        byte[] body = curl.getInputStream().readAllBytes();
        assertThat(curl.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(curl.exitValue())
                .as(new String(body, StandardCharsets.UTF_8))
                .isZero();
        return JSON.readTree(body);
    }

    private List<Path> rotatedFiles(String name) throws IOException {
        try (var files = Files.list(dir.resolve(".drover/logs"))) {
            return files.filter(f -> f.getFileName().toString().startsWith(name + "."))
                    .sorted()
                    .toList();
        }
    }

    private static void assertRotation(List<Path> rotated, String name) throws IOException {
        assertThat(rotated.stream().map(p -> p.getFileName().toString()).toList())
                .as("rotated files of " + name)
                .containsExactly(name + ".1", name + ".2", name + ".3");
        for (Path file : rotated) {
            // A record is never split across files, so a file may pass max_size by at most one piece.
            assertThat(Files.size(file))
                    .as(file.getFileName() + " size")
                    .isLessThanOrEqualTo(MAX_SIZE + PIECE + TIMESTAMP + 1);
        }
    }

    private static String sizes(List<Path> files) {
        TreeMap<String, Long> sizes = new TreeMap<>();
        for (Path f : files) {
            try {
                sizes.put(f.getFileName().toString(), Files.size(f));
            } catch (IOException e) {
                sizes.put(f.getFileName().toString(), -1L);
            }
        }
        return sizes.toString();
    }

    private static long directorySize(Path dir) throws IOException {
        try (var files = Files.list(dir)) {
            long total = 0;
            for (Path f : files.toList()) {
                total += Files.size(f);
            }
            return total;
        }
    }

    private static boolean contains(Path file, String text) {
        try {
            return Files.exists(file)
                    && new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1).contains(text);
        } catch (IOException e) {
            return false; // rotated away just now
        }
    }

    /** The lines of a file, without their newlines. */
    private static List<byte[]> lines(byte[] bytes) {
        List<byte[]> lines = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == '\n') {
                lines.add(Arrays.copyOfRange(bytes, start, i));
                start = i + 1;
            }
        }
        return lines;
    }

    /** Samples the daemon's VmRSS and the rotated files every 50 ms on a thread of its own. */
    private static final class Sampler {
        final AtomicLong maxRss = new AtomicLong();
        final AtomicInteger samples = new AtomicInteger();
        final AtomicInteger mostRotated = new AtomicInteger();
        final AtomicInteger highestIndex = new AtomicInteger();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private Thread thread;

        static Sampler start(DaemonHarness drover, Path logDir, String logName) {
            Sampler s = new Sampler();
            s.thread = Thread.ofPlatform().daemon().name("rss-sampler").start(() -> {
                while (s.running.get()) {
                    long rss = drover.daemonRssKiB();
                    if (rss > 0) {
                        s.maxRss.accumulateAndGet(rss, Math::max);
                        s.samples.incrementAndGet();
                    }
                    try (var files = Files.list(logDir)) {
                        int count = 0;
                        for (Path f : files.toList()) {
                            String n = f.getFileName().toString();
                            if (n.startsWith(logName + ".")) {
                                count++;
                                try {
                                    s.highestIndex.accumulateAndGet(
                                            Integer.parseInt(n.substring(logName.length() + 1)), Math::max);
                                } catch (NumberFormatException e) {
                                    s.highestIndex.set(Integer.MAX_VALUE); // an unexpected name
                                }
                            }
                        }
                        s.mostRotated.accumulateAndGet(count, Math::max);
                    } catch (IOException e) {
                        // not there yet
                    }
                    try {
                        Thread.sleep(50);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            return s;
        }

        void stop() {
            running.set(false);
            try {
                thread.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
