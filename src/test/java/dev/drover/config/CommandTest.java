package dev.drover.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CommandTest {

    @Test
    void plainWordsAreSplitIntoAnArgv() {
        assertThat(Command.fromString("  redis-server  --port\t6390 ./data/dir "))
                .isEqualTo(new Command.Exec(List.of("redis-server", "--port", "6390", "./data/dir")));
    }

    @Test
    void instancePlaceholdersDoNotNeedAShell() {
        assertThat(Command.fromString("java -jar api.jar --port ${PORT} --id ${DROVER_PROCESS}-${DROVER_REPLICA}"))
                .isEqualTo(new Command.Exec(List.of(
                        "java",
                        "-jar",
                        "api.jar",
                        "--port",
                        "${PORT}",
                        "--id",
                        "${DROVER_PROCESS}-${DROVER_REPLICA}")));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "a | b",
                "a && b",
                "a; b",
                "a < in",
                "a > out",
                "(a)",
                "echo $HOME",
                "echo `date`",
                "a \\ b",
                "echo \"x\"",
                "echo 'x'",
                "ls *.txt",
                "ls ?",
                "ls [ab]",
                "a # comment",
                "cd ~",
                "FOO=1 a",
                "printf %s",
                "echo {a,b}",
                "line1\nline2",
                "echo ${PORT:-80}",
                "echo ${OTHER}",
            })
    void anyShellMetacharacterMakesItAShellScript(String command) {
        assertThat(Command.fromString(command)).isEqualTo(new Command.Shell(command));
    }

    @Test
    void blankIsRejected() {
        assertThatThrownBy(() -> Command.fromString(" \n ")).hasMessage("missing command");
    }
}
