package dev.drover.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The bash completion script, sourced in a real bash, with its completion function called as bash would. */
@Timeout(120)
class CompletionIT {
    @TempDir
    Path dir;

    /** What _drover offers for the words (the last one being completed), with drover as the real jar. */
    private String complete(Path script, String... words) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        String call = "drover() { '" + java + "' -jar '" + DroverProcess.jar() + "' \"$@\"; }\n"
                + "source '" + script + "'\n"
                + "COMP_WORDS=("
                + String.join(
                        " ", List.of(words).stream().map(w -> "'" + w + "'").toList()) + ")\n"
                + "COMP_CWORD=" + (words.length - 1) + "\n"
                + "_drover\n"
                + "printf '%s\\n' \"${COMPREPLY[@]}\"\n";
        Process bash = new ProcessBuilder("bash", "-c", call)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .start();
        String output = new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(bash.waitFor(60, TimeUnit.SECONDS)).as(output).isTrue();
        assertThat(bash.exitValue()).as(output).isZero();
        return output;
    }

    @Test
    void bashCompletesCommandsTheirOptionsAndProcessNamesFromTheConfig() throws Exception {
        Files.writeString(dir.resolve("drover.yaml"), """
                processes:
                  web: {command: "sleep 1"}
                  worker: {command: "sleep 1"}
                """);
        DroverProcess script = DroverProcess.run(dir, "completion", "bash");
        assertThat(script.exitCode()).as(script.text()).isZero();
        Path file = Files.writeString(dir.resolve("drover.bash"), script.text() + "\n");

        assertThat(complete(file, "drover", "re").lines()).containsExactly("restart", "reload");
        assertThat(complete(file, "drover", "restart", "w").lines()).containsExactly("web", "worker");
        assertThat(complete(file, "drover", "logs", "--s").lines()).containsExactly("--since", "--stderr");
        assertThat(complete(file, "drover", "up", "--no").lines()).containsExactly("--no-pre-start");
        assertThat(complete(file, "drover", "-f", "drover.yaml", "stop", "").lines())
                .containsExactly("web", "worker");
        assertThat(complete(file, "drover", "sc").lines()).containsExactly("scale");
        assertThat(complete(file, "drover", "scale", "wo").lines()).containsExactly("worker");
        assertThat(complete(file, "drover", "con").lines()).containsExactly("config");
        assertThat(complete(file, "drover", "config", "--").lines()).contains("--json", "--show-secrets", "--file");

        // Names come from the merged files: drover.override.yaml adds a process.
        Files.writeString(dir.resolve("drover.override.yaml"), "processes:\n  cron: {command: \"sleep 1\"}\n");
        assertThat(complete(file, "drover", "scale", "").lines()).containsExactly("cron", "web", "worker");

        DroverProcess unknown = DroverProcess.run(dir, "completion", "tcsh");
        assertThat(unknown.exitCode()).isEqualTo(2);
        assertThat(unknown.text()).contains("use bash, zsh or fish");
    }
}
