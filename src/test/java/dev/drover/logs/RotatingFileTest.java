package dev.drover.logs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RotatingFileTest {
    @TempDir
    Path dir;

    @Test
    void rotationKeepsOnlyKeepOldFilesAndNeverSplitsALine() throws Exception {
        Path log = dir.resolve("svc.log");
        byte[] prefix = "ts ".getBytes(StandardCharsets.US_ASCII);
        try (RotatingFile file = new RotatingFile(log, 10_000, 3)) {
            for (int i = 0; i < 5000; i++) {
                byte[] line = String.format("line %05d %s", i, "x".repeat(80)).getBytes(StandardCharsets.US_ASCII);
                file.write(prefix, line, 0, line.length);
                if (i % 100 == 0) {
                    file.flush();
                }
            }
        }
        assertThat(log).exists();
        for (int i = 1; i <= 3; i++) {
            assertThat(dir.resolve("svc.log." + i)).exists();
            assertThat(Files.size(dir.resolve("svc.log." + i))).isLessThanOrEqualTo(10_000);
        }
        assertThat(dir.resolve("svc.log.4")).doesNotExist();
        // The newest lines are in svc.log, whole, in order, continuing from svc.log.1.
        List<String> lines = new ArrayList<>(Files.readAllLines(dir.resolve("svc.log.1")));
        lines.addAll(Files.readAllLines(log));
        assertThat(lines.getLast()).isEqualTo("ts line 04999 " + "x".repeat(80));
        for (int i = 1; i < lines.size(); i++) {
            int previous = Integer.parseInt(lines.get(i - 1).substring(8, 13));
            assertThat(Integer.parseInt(lines.get(i).substring(8, 13))).isEqualTo(previous + 1);
        }
    }

    @Test
    void keepZeroKeepsNoOldFile() throws Exception {
        Path log = dir.resolve("svc.log");
        try (RotatingFile file = new RotatingFile(log, 1000, 0)) {
            for (int i = 0; i < 100; i++) {
                byte[] line = "0123456789012345678901234567890123456789".getBytes(StandardCharsets.US_ASCII);
                file.write(new byte[0], line, 0, line.length);
            }
        }
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("svc.log");
        }
        assertThat(Files.size(log)).isLessThanOrEqualTo(1000);
    }

    @Test
    void appendsToAnExistingLog() throws Exception {
        Path log = Files.writeString(dir.resolve("svc.log"), "old\n");
        try (RotatingFile file = new RotatingFile(log, 1_000_000, 2)) {
            byte[] line = "new".getBytes(StandardCharsets.US_ASCII);
            file.write(new byte[0], line, 0, line.length);
        }
        assertThat(Files.readAllLines(log)).containsExactly("old", "new");
    }

    /** As root: the file, and each new one after a rotation, belongs to the user the process runs as. */
    @Test
    void anOwnedFileIsGivenToItsOwnerAfterEachRotationButALinkIsNot() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(
                "root".equals(System.getProperty("user.name")), "only root can give files away");
        Path log = dir.resolve("svc.log");
        RotatingFile.Owner nobody = new RotatingFile.Owner(65534, 65534);
        byte[] line = "x".repeat(100).getBytes(StandardCharsets.US_ASCII);
        try (RotatingFile file = new RotatingFile(log, 1_000, 2, nobody)) {
            for (int i = 0; i < 30; i++) {
                file.write(new byte[0], line, 0, line.length);
                file.flush();
            }
        }
        for (Path each : List.of(log, dir.resolve("svc.log.1"), dir.resolve("svc.log.2"))) {
            assertThat(Files.getAttribute(each, "unix:uid")).as(each.toString()).isEqualTo(65534);
            assertThat(Files.getAttribute(each, "unix:gid")).as(each.toString()).isEqualTo(65534);
        }
        Path target = Files.writeString(dir.resolve("target"), "");
        Path link = Files.createSymbolicLink(dir.resolve("link.log"), target);
        try (RotatingFile file = new RotatingFile(link, 0, 0, nobody)) {
            file.write(new byte[0], line, 0, line.length);
        }
        assertThat(Files.getAttribute(target, "unix:uid")).isEqualTo(0);
    }
}
