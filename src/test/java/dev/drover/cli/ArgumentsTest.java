package dev.drover.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Options that take a value, and what a left-out value turns into. */
class ArgumentsTest {
    private static final Set<String> UP_FLAGS = Set.of("-d", "--detach");
    private static final Set<String> UP_VALUED = Set.of("--timeout");

    @Test
    void aValuedOptionFollowedByAnotherOptionIsAUsageErrorNotItsValue() {
        CliException e = catchThrowableOfType(
                CliException.class,
                () -> Arguments.parse("up", List.of("-d", "--timeout", "-f", "fg.yaml"), UP_FLAGS, UP_VALUED));

        assertThat(e)
                .as("`--timeout -f fg.yaml` must not make fg.yaml a process name")
                .isNotNull();
        assertThat(e.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(e.getMessage())
                .contains("--timeout needs a value, not the option -f")
                .contains("--timeout=-f");
    }

    @Test
    void aFlagOfTheCommandIsNotTakenAsAValueEither() {
        CliException e = catchThrowableOfType(
                CliException.class, () -> Arguments.parse("up", List.of("--timeout", "-d"), UP_FLAGS, UP_VALUED));

        assertThat(e).isNotNull();
        assertThat(e.exitCode()).isEqualTo(ExitCodes.USAGE);
    }

    @Test
    void aValueThatOnlyLooksLikeAnOptionIsKept() throws CliException {
        Arguments grep = Arguments.parse("logs", List.of("--grep", "-x", "web"), Set.of("-f"), Set.of("--grep"));
        Arguments inline = Arguments.parse("up", List.of("-d", "--timeout=-f"), UP_FLAGS, UP_VALUED);

        assertThat(grep.values).containsEntry("--grep", "-x");
        assertThat(grep.names).containsExactly("web");
        assertThat(inline.values).containsEntry("--timeout", "-f");
    }

    @Test
    void aValueThatIsGivenIsTaken() throws CliException {
        Arguments arguments =
                Arguments.parse("up", List.of("-d", "--timeout", "5s", "-f", "fg.yaml", "web"), UP_FLAGS, UP_VALUED);

        assertThat(arguments.values).containsEntry("--timeout", "5s");
        assertThat(arguments.configFile.getFileName().toString()).isEqualTo("fg.yaml");
        assertThat(arguments.names).containsExactly("web");
    }

    @Test
    void upWithATimeoutButNotDetachedIsAUsageError() {
        CliException e = catchThrowableOfType(
                CliException.class, () -> new UpCommand().run(List.of("--timeout", "5s", "-f", "no-such-file.yaml")));

        assertThat(e).as("the foreground up has no timeout: it must not run").isNotNull();
        assertThat(e.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(e.getMessage()).contains("drover up -d --timeout 5s");
    }
}
