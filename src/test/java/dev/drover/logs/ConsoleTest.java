package dev.drover.logs;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ConsoleTest {
    @Test
    void terminalsAreToldFromFilesPipesAndDevNull() {
        assertThat(Console.isTerminalDevice("/dev/pts/3")).isTrue();
        assertThat(Console.isTerminalDevice("/dev/tty1")).isTrue();
        assertThat(Console.isTerminalDevice("/dev/ttyS0")).isTrue();
        assertThat(Console.isTerminalDevice("/dev/console")).isTrue();
        assertThat(Console.isTerminalDevice("/dev/null")).isFalse();
        assertThat(Console.isTerminalDevice("pipe:[123456]")).isFalse();
        assertThat(Console.isTerminalDevice("/tmp/dev/pts/out.txt")).isFalse();
        assertThat(Console.isTerminalDevice("socket:[42]")).isFalse();
    }

    @Test
    void standardOutputOfTheTestRunIsNoTerminal() {
        // Surefire's forked JVM writes to a pipe (or a file), never to a terminal.
        assertThat(Console.device(1)).isNotEmpty();
        assertThat(Console.isTerminalDevice(Console.device(1))).isFalse();
    }
}
