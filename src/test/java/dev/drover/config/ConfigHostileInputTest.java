package dev.drover.config;

import static dev.drover.config.TestConfigs.error;
import static dev.drover.config.TestConfigs.errors;
import static dev.drover.config.TestConfigs.onlyError;
import static dev.drover.config.TestConfigs.parse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Regressions for what fuzzing the loader found ({@link ConfigLoaderFuzzTest}) and what probing
 * it with hostile files showed: each of these once loaded a broken config, threw something other
 * than a {@link ConfigException}, ran out of memory, or took minutes.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ConfigHostileInputTest {

    @TempDir
    Path dir;

    // Found by the fuzzer: `1e999` matched the number pattern and parsed as Infinity.
    @Test
    void numbersTooLargeForADoubleAreRejectedNotReadAsInfinity() {
        assertThat(errors("""
                processes:
                  a: {command: x, backoff: {multiplier: 1e999}, limits: {cpu: 1e999%}}
                  b: {command: x, limits: {cpu: "2e308"}}
                """))
                .containsExactly(
                        error(2, 41, "processes.a.backoff.multiplier", "number 1e999 is too large"),
                        error(2, 63, "processes.a.limits.cpu", "number 1e999 is too large"),
                        error(3, 33, "processes.b.limits.cpu", "number 2e308 is too large"));
    }

    @Test
    void theLargestFiniteNumbersStillLoad() throws ConfigException {
        DroverConfig config =
                parse("processes:\n  a: {command: x, backoff: {multiplier: 1e308}, limits: {cpu: 1.7e308%}}\n");
        assertThat(config.processes().get("a").backoff().multiplier()).isEqualTo(1e308);
        assertThat(config.processes().get("a").limits().cpuPercent()).isEqualTo(1.7e308);
    }

    // `${A:-${A:-...}}` 20 000 deep overflowed the stack; deeper, copying each default's text ran out of memory.
    @Test
    void deeplyNestedDefaultsAreAnErrorNotAStackOverflow() {
        String nested = "${A:-".repeat(100_000) + "x" + "}".repeat(100_000);
        assertThat(onlyError("processes:\n  a:\n    command: \"" + nested + "\"\n"))
                .isEqualTo(error(
                        3,
                        14,
                        "processes.a.command",
                        "variable references nested more than 10 levels deep in defaults (${A:-${B:-...}})"));
    }

    @Test
    void defaultsNestedTenDeepStillExpand() throws ConfigException {
        String nested = "${A:-".repeat(Interpolation.MAX_NESTING) + "x" + "}".repeat(Interpolation.MAX_NESTING);
        DroverConfig config = parse("processes:\n  a:\n    command: [\"" + nested + "\"]\n");
        assertThat(config.processes().get("a").command()).isEqualTo(new Command.Exec(List.of("x")));
        String tooDeep = "${A:-" + nested + "}";
        assertThat(onlyError("processes:\n  a:\n    command: [\"" + tooDeep + "\"]\n")
                        .message())
                .startsWith("variable references nested more than 10 levels deep");
    }

    // A 100 kB file whose aliases stand for 28 000 copies of a 100 kB value with a `$` in it:
    // each copy was expanded anew (2.8 GB of text); out of memory on a 2 GB heap, minutes before that.
    @Test
    void aValueSharedThroughAliasesIsExpandedOnce() throws ConfigException {
        String big = "$$" + "a".repeat(100_000);
        String yaml = "x-s: &s [\"" + big + "\"]\n"
                + "x-1: &l1 [*s, *s, *s, *s, *s, *s, *s, *s]\n"
                + "x-2: &l2 [*l1, *l1, *l1, *l1, *l1, *l1, *l1, *l1]\n"
                + "x-3: &l3 [*l2, *l2, *l2, *l2, *l2, *l2, *l2, *l2]\n"
                + "x-4: &l4 [*l3, *l3, *l3, *l3, *l3, *l3, *l3, *l3]\n"
                + "x-5: [*l4, *l4, *l4, *l4, *l4, *l4, *l4]\n"
                + "processes:\n  a:\n    command: x\n    env:\n      <<: {K: \"$$\"}\n    readiness: {exec: *s}\n";
        long start = System.nanoTime();
        DroverConfig config = parse(yaml);
        assertThat((System.nanoTime() - start) / 1_000_000)
                .as("milliseconds to load")
                .isLessThan(10_000);
        assertThat(config.processes().get("a").readiness().check())
                .isEqualTo(new ProbeCheck.Exec(new Command.Exec(List.of("$" + "a".repeat(100_000)))));
    }

    @Test
    void aBadValueSharedThroughAliasesIsReportedOnceWhereItIsWritten() {
        assertThat(errors("""
                x-cmd: &cmd ["${MISSING}"]
                processes:
                  a: {command: *cmd}
                  b: {command: *cmd}
                """))
                .containsExactly(error(
                        1, 14, "x-cmd[0]", "variable MISSING is not set (use ${MISSING:-default} to give a default)"));
    }

    // Files.readString of /dev/zero read until the heap was full.
    @Test
    void anEnvFileThatIsADeviceIsRefusedWithoutReadingIt() {
        assertThat(onlyError("env_file: /dev/zero\nprocesses:\n  a: {command: x}\n"))
                .isEqualTo(error(1, 11, "env_file", "env file /dev/zero is not a regular file"));
    }

    @Test
    void anEnvFileOverOneMebibyteIsRefused() throws IOException, ConfigException {
        Files.writeString(dir.resolve("big.env"), "A=" + "x".repeat(1 << 20) + "\n");
        Files.writeString(dir.resolve("drover.yaml"), "env_file: big.env\nprocesses:\n  a: {command: x}\n");
        ConfigException failure = catchThrowableOfType(
                ConfigException.class, () -> ConfigLoader.load(dir.resolve("drover.yaml"), Map.of()));
        assertThat(failure.errors())
                .containsExactly(new ConfigError(
                        dir.resolve("drover.yaml"),
                        1,
                        11,
                        "env_file",
                        "env file " + dir.resolve("big.env") + " is larger than 1 MiB; drover reads at most 1 MiB"));

        Files.writeString(dir.resolve("big.env"), "A=" + "x".repeat((1 << 20) - 10) + "\n");
        assertThat(ConfigLoader.load(dir.resolve("drover.yaml"), Map.of()).env().get("A"))
                .hasSize((1 << 20) - 10);
    }

    @Test
    void aDirectoryAsEnvFileIsNotARegularFile() throws IOException {
        Files.createDirectories(dir.resolve("envs"));
        Files.writeString(dir.resolve("drover.yaml"), "env_file: envs\nprocesses:\n  a: {command: x}\n");
        ConfigException failure = catchThrowableOfType(
                ConfigException.class, () -> ConfigLoader.load(dir.resolve("drover.yaml"), Map.of()));
        assertThat(failure.errors())
                .extracting(ConfigError::message)
                .containsExactly("env file " + dir.resolve("envs") + " is not a regular file");
    }

    @Test
    void aConfigFileThatNeverEndsIsRefused() {
        ConfigException failure =
                catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(Path.of("/dev/zero"), Map.of()));
        assertThat(failure.errors())
                .containsExactly(new ConfigError(
                        Path.of("/dev/zero"),
                        0,
                        0,
                        "",
                        "config file is larger than 4 MiB; drover reads at most 4 MiB"));
    }

    @Test
    void aConfigFileThatIsNotUtf8IsStillReportedAsSuch() throws IOException {
        Files.write(dir.resolve("drover.yaml"), new byte[] {'a', ':', ' ', (byte) 0xff, '\n'});
        ConfigException failure = catchThrowableOfType(
                ConfigException.class, () -> ConfigLoader.load(dir.resolve("drover.yaml"), Map.of()));
        assertThat(failure.errors()).extracting(ConfigError::message).containsExactly("config file is not valid UTF-8");
    }

    // Every error about an unknown process listed all the others: 10 000 of each took gigabytes.
    @Test
    void errorsAboutUnknownProcessesNameOnlyTheFirstTenKnownOnes() {
        StringBuilder yaml = new StringBuilder("processes:\n  main:\n    command: x\n    depends_on:\n");
        int many = 5_000;
        for (int i = 0; i < many; i++) {
            yaml.append("      - ghost").append(i).append('\n');
        }
        for (int i = 0; i < many; i++) {
            yaml.append("  p").append(i).append(": {command: x}\n");
        }
        List<ConfigError> errors = errors(yaml.toString());
        assertThat(errors).hasSize(many);
        assertThat(errors.getFirst())
                .isEqualTo(
                        error(
                                5,
                                9,
                                "processes.main.depends_on.ghost0",
                                "depends on unknown process \"ghost0\" (known: main, p0, p1, p2, p3, p4, p5, p6, p7, p8, and 4991 more)"));
        assertThat(errors.getLast().line()).isEqualTo(4 + many);
    }

    @Test
    void anUnknownKeyOfAMegabyteIsReportedQuickly() {
        String key = "k".repeat(1 << 20);
        long start = System.nanoTime();
        ConfigError error = onlyError("processes:\n  a: {command: x}\n? " + key + "\n: 1\n");
        // Generous: this guards against quadratic work on the key (hours at 1 MiB), not speed; a
        // loaded 2-core machine took 28 s once.
        assertThat((System.nanoTime() - start) / 1_000_000).as("milliseconds").isLessThan(120_000);
        assertThat(error.message())
                .startsWith("unknown key `kkk")
                .endsWith("; expected one of: " + String.join(", ", ConfigBinder.KEYS));
    }
}
