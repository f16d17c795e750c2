package dev.drover.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ColoursTest {
    @Test
    void terminalsAreToldFromFilesPipesAndDevNull() {
        assertThat(Colours.isTerminalDevice("/dev/pts/3")).isTrue();
        assertThat(Colours.isTerminalDevice("/dev/tty1")).isTrue();
        assertThat(Colours.isTerminalDevice("/dev/ttyS0")).isTrue();
        assertThat(Colours.isTerminalDevice("/dev/console")).isTrue();
        assertThat(Colours.isTerminalDevice("/dev/null")).isFalse();
        assertThat(Colours.isTerminalDevice("pipe:[123456]")).isFalse();
        assertThat(Colours.isTerminalDevice("/tmp/dev/pts/out.txt")).isFalse();
        assertThat(Colours.isTerminalDevice("socket:[42]")).isFalse();
    }

    @Test
    void standardOutputOfTheTestRunIsNoTerminal() {
        // Surefire's forked JVM writes to a pipe (or a file), never to a terminal.
        assertThat(Colours.isTerminal(1)).isFalse();
    }
}
