package dev.drover.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The daemon runs from its own copy of the jar, so a build that rewrites target/drover.jar never reaches it. */
class PrivateJarCopyTest {
    @TempDir
    Path dir;

    @Test
    void aRebuiltJarIsCopiedAnewWhileARunningDaemonKeepsReadingItsOldCopy() throws Exception {
        Path jar = Files.writeString(dir.resolve("drover.jar"), "first build");
        Path runtime = Files.createDirectory(dir.resolve("runtime"));

        Path copy = Background.privateCopy(jar, runtime);
        assertThat(copy).isEqualTo(runtime.resolve("drover.jar")).hasContent("first build");
        FileTime copied = Files.getLastModifiedTime(copy);
        assertThat(Background.privateCopy(jar, runtime))
                .as("unchanged: the same copy")
                .isEqualTo(copy);
        assertThat(Files.getLastModifiedTime(copy)).isEqualTo(copied);

        try (FileChannel running = FileChannel.open(copy)) { // the daemon's open jar
            Files.writeString(jar, "second, longer build");
            assertThat(Background.privateCopy(jar, runtime)).hasContent("second, longer build");
            ByteBuffer seen = ByteBuffer.allocate(64);
            running.read(seen, 0);
            assertThat(new String(seen.array(), 0, seen.position(), StandardCharsets.UTF_8))
                    .as("the running daemon's jar is not rewritten under it")
                    .isEqualTo("first build");
        }
        assertThat(runtime.resolve("drover.jar.new")).doesNotExist();
    }
}
