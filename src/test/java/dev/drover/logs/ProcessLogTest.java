package dev.drover.logs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drover.Describe;
import dev.drover.Waits;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcessLogTest {
    @TempDir
    Path dir;

    /** A log directory that cannot be used (its path is taken by a file), then can. */
    @Test
    void anUnwritableLogFileIsReportedOnceAndLoggingResumesWhenItCanBeWritten() throws Exception {
        Path blocker = Files.writeString(dir.resolve("logs"), "not a directory");
        List<String> told = new CopyOnWriteArrayList<>();
        ProcessLog log = new ProcessLog("web", blocker.resolve("web.log"), 0, 0, false, 100);
        log.addListener((process, source, time, buffer, offset, length) -> {
            if (source == LogLine.Source.DROVER) {
                told.add(new String(buffer, offset, length, StandardCharsets.UTF_8));
            }
        });
        byte[] line = "hello\n".getBytes(StandardCharsets.UTF_8);
        log.stdout().onData(line, line.length);
        assertThat(log.fileError()).contains("cannot open log file");
        assertThat(log.ring().last(10)).extracting(LogLine::text).contains("hello");
        assertThat(told)
                .singleElement()
                .asString()
                .contains("cannot open log file")
                .contains("kept in memory only");

        Files.delete(blocker);
        Files.createDirectory(blocker);
        // Retried after a pause, on the next output: keep writing until it has taken hold.
        Waits.until(
                Duration.ofSeconds(10),
                "the log file to take hold",
                () -> {
                    log.stdout().onData(line, line.length);
                    return log.fileError() == null
                            && Files.exists(blocker.resolve("web.log"))
                            && Files.readString(blocker.resolve("web.log")).contains("hello");
                },
                () -> "file error: " + log.fileError() + "\ntold: " + told + "\n" + Describe.directory(blocker)
                        + Describe.file(blocker.resolve("web.log")));
        assertThat(told)
                .anySatisfy(t -> assertThat(t).contains("can be written again").contains("lines were not written"));
        log.close();
    }

    @Test
    void stderrLinesAreMarkedInTheFileAfterTheTimestamp() throws Exception {
        Path file = dir.resolve("web.log");
        try (ProcessLog log = new ProcessLog("web", file, 0, 0, true, 100)) {
            byte[] out = "to stdout\n".getBytes(StandardCharsets.UTF_8);
            byte[] err = "to stderr\n".getBytes(StandardCharsets.UTF_8);
            log.stdout().onData(out, out.length);
            log.stderr().onData(err, err.length);
            log.announce("started");
        }
        List<String> lines = Files.readAllLines(file);
        assertThat(lines).hasSize(3);
        assertThat(lines.get(0)).matches("\\S+ to stdout");
        assertThat(lines.get(1)).matches("\\S+ ! to stderr");
        assertThat(lines.get(2)).matches("\\S+ \\[drover\\] started");
    }
}
