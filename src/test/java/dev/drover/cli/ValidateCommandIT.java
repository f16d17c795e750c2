package dev.drover.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ValidateCommandIT {
    @TempDir
    Path dir;

    @Test
    void aValidFilePrintsOk() throws Exception {
        Files.writeString(dir.resolve("drover.yaml"), "processes:\n  a: {command: \"sleep 1\"}\n");
        DroverProcess drover = DroverProcess.run(dir, "validate");
        assertThat(drover.exitCode()).isZero();
        assertThat(drover.output()).containsExactly("ok");
    }

    @Test
    void everyErrorIsPrintedWithItsLocation() throws Exception {
        Files.writeString(dir.resolve("custom.yaml"), """
                processes:
                  a:
                    command: "sleep 1"
                    depends_on: [b]
                    restrat: always
                  b:
                    command: "sleep 1"
                    depends_on: [a]
                    stop_timeout: 10 seconds
                """);
        DroverProcess drover = DroverProcess.run(dir, "validate", "-f", "custom.yaml");
        assertThat(drover.exitCode()).isEqualTo(1);
        String text = drover.text();
        assertThat(text).contains("custom.yaml:5:5: processes.a.restrat").contains("did you mean `restart`");
        assertThat(text).contains("custom.yaml:9:19").contains("duration");
        assertThat(text).contains("dependency cycle: a -> b -> a");
    }

    @Test
    void aMissingFileIsAClearError() throws Exception {
        DroverProcess drover = DroverProcess.run(dir, "validate", "-f", "nope.yaml");
        assertThat(drover.exitCode()).isEqualTo(1);
        assertThat(drover.text()).contains("nope.yaml").contains("not found");
    }

    @Test
    void badArgumentsAreAUsageError() throws Exception {
        DroverProcess drover = DroverProcess.run(dir, "validate", "--frobnicate");
        assertThat(drover.exitCode()).isEqualTo(2);
        assertThat(drover.text()).contains("unknown option --frobnicate");
        DroverProcess unknown = DroverProcess.run(dir, "frobnicate");
        assertThat(unknown.exitCode()).isEqualTo(2);
        assertThat(unknown.text()).contains("unknown command frobnicate");
    }
}
