package dev.drover.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** drover.1: rendered by the build from the help text, valid roff that man shows. */
class ManPageTest {
    @TempDir
    Path dir;

    @Test
    void theBuildPutsThePageInTheJarWithEveryCommandAndItsUsage() throws Exception {
        String page;
        try (InputStream in = ManPage.class.getResourceAsStream(ManPage.RESOURCE)) {
            assertThat(in)
                    .as("drover.1 on the classpath (written at process-classes)")
                    .isNotNull();
            page = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(page).startsWith(".TH DROVER 1 ").contains(".SH SYNOPSIS", ".SH EXIT STATUS");
        Map<String, Command> commands = Main.commands();
        assertThat(commands).isNotEmpty();
        for (Command command : commands.values()) {
            assertThat(page).contains(".SS " + ManPage.escape(command.name()) + "\n");
            String firstLine = command.usage().lines().findFirst().orElseThrow();
            assertThat(page).contains(ManPage.escape(firstLine));
        }
        assertThat(page).isEqualTo(ManPage.render(commands, pageVersion(page)));
    }

    @Test
    void groffFormatsItWithoutAWarning() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/groff")), "groff is not installed");
        Path file = Files.writeString(dir.resolve("drover.1"), ManPage.render(Main.commands(), "1.2.3"));
        Process groff = new ProcessBuilder("groff", "-man", "-Tutf8", "-ww", file.toString())
                .redirectError(dir.resolve("warnings").toFile())
                .redirectOutput(dir.resolve("page").toFile())
                .start();
        assertThat(groff.waitFor(60, TimeUnit.SECONDS)).as("groff finished").isTrue();
        String warnings = Files.readString(dir.resolve("warnings"));
        assertThat(groff.exitValue()).as(warnings).isZero();
        assertThat(warnings).isEmpty();
        String shown = Files.readString(dir.resolve("page"));
        assertThat(shown).contains("drover - a process supervisor", "Usage: drover up", "--runtime-dir");
    }

    /** The version the build wrote into the title line. */
    private static String pageVersion(String page) {
        String title = page.lines().findFirst().orElseThrow();
        return title.replaceFirst("^\\.TH DROVER 1 \"\" \"drover ", "")
                .replaceFirst("\" \"User Commands\"$", "")
                .replace("\\-", "-");
    }
}
