package dev.drover.logs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LineSplitterTest {
    private final List<String> lines = new ArrayList<>();
    private final LineSplitter splitter = new LineSplitter(
            (buffer, offset, length) -> lines.add(new String(buffer, offset, length, StandardCharsets.UTF_8)));

    private void feed(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        splitter.onData(bytes, bytes.length);
    }

    @Test
    void joinsLinesThatArriveInPieces() {
        feed("hel");
        feed("lo\nwor");
        feed("ld\n\nlast");
        assertThat(lines).containsExactly("hello", "world", "");
        splitter.onClose();
        assertThat(lines).containsExactly("hello", "world", "", "last");
    }

    @Test
    void splitsOnlyLinesLongerThan64KiB() {
        String exact = "x".repeat(LineSplitter.MAX_LINE);
        String longer = "y".repeat(LineSplitter.MAX_LINE + 10);
        feed(exact + "\n" + longer + "\nend\n");
        assertThat(lines).containsExactly(exact, "y".repeat(LineSplitter.MAX_LINE), "y".repeat(10), "end");
    }

    @Test
    void aLineOfExactly64KiBArrivingInPiecesIsOneLine() {
        String exact = "x".repeat(LineSplitter.MAX_LINE);
        feed(exact.substring(0, 1000));
        feed(exact.substring(1000));
        feed("\nnext\n");
        assertThat(lines).containsExactly(exact, "next");
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 42})
    void anyChunkingGivesTheSameLines(long seed) {
        Random random = new Random(seed);
        StringBuilder text = new StringBuilder();
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            String line = "line-" + i + "-" + "z".repeat(random.nextInt(300));
            expected.add(line);
            text.append(line).append('\n');
        }
        byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
        int at = 0;
        while (at < bytes.length) {
            int n = Math.min(bytes.length - at, 1 + random.nextInt(5000));
            byte[] chunk = new byte[n];
            System.arraycopy(bytes, at, chunk, 0, n);
            splitter.onData(chunk, n);
            at += n;
        }
        splitter.onClose();
        assertThat(lines).isEqualTo(expected);
    }

    @Test
    void theEightByteScanFindsANewlineAtEveryPositionAndNoFalseOnes() {
        for (int length = 0; length < 40; length++) {
            for (int at = 0; at < length; at++) {
                byte[] bytes = new byte[length];
                java.util.Arrays.fill(bytes, (byte) 0x8a); // high bit set, low bits like '\n'
                bytes[at] = '\n';
                assertThat(LineSplitter.indexOfNewline(bytes, 0, length)).isEqualTo(at);
            }
            byte[] none = new byte[length];
            java.util.Arrays.fill(none, (byte) 0x0b);
            assertThat(LineSplitter.indexOfNewline(none, 0, length)).isEqualTo(-1);
        }
    }
}
