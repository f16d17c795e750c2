package dev.drover.logs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RingBufferTest {
    @Test
    void keepsTheLastLinesOldestFirst() {
        RingBuffer ring = new RingBuffer(3);
        for (int i = 1; i <= 5; i++) {
            ring.add(new LogLine(i, LogLine.Source.STDOUT, ("l" + i).getBytes(StandardCharsets.UTF_8)));
        }
        assertThat(ring.last(10)).extracting(LogLine::text).containsExactly("l3", "l4", "l5");
        assertThat(ring.last(2)).extracting(LogLine::text).containsExactly("l4", "l5");
        assertThat(ring.written()).isEqualTo(5);
    }

    @Test
    void linesWhoseBytesWereOverwrittenAreDroppedAndWrappedLinesStayWhole() {
        RingBuffer ring = new RingBuffer(100, 64);
        for (int i = 0; i < 10; i++) {
            ring.add(new LogLine(
                    i, LogLine.Source.STDERR, ("line-" + i + "-" + "x".repeat(10)).getBytes(StandardCharsets.UTF_8)));
        }
        // each line is 17 bytes: 64 bytes hold the last 3 whole lines
        assertThat(ring.last(100))
                .extracting(LogLine::text)
                .containsExactly("line-7-xxxxxxxxxx", "line-8-xxxxxxxxxx", "line-9-xxxxxxxxxx");
        assertThat(ring.last(100)).allMatch(l -> l.source() == LogLine.Source.STDERR);
    }

    @Test
    void aLineLongerThanTheBufferKeepsItsStart() {
        RingBuffer ring = new RingBuffer(10, 8);
        ring.add(new LogLine(1, LogLine.Source.STDOUT, "0123456789".getBytes(StandardCharsets.UTF_8)));
        assertThat(ring.last(1)).extracting(LogLine::text).containsExactly("01234567");
    }

    @Test
    void growsFromSmallWithoutLosingOrReorderingLines() {
        RingBuffer ring = new RingBuffer(1000);
        for (int i = 0; i < 5000; i++) {
            String text = String.format("line %05d %s", i, "y".repeat(i % 150));
            ring.add(new LogLine(i, LogLine.Source.STDOUT, text.getBytes(StandardCharsets.UTF_8)));
            if (i == 10 || i == 70 || i == 300) {
                assertThat(ring.last(5))
                        .extracting(LogLine::text)
                        .last()
                        .asString()
                        .startsWith(String.format("line %05d", i));
            }
        }
        java.util.List<LogLine> last = ring.last(1000);
        assertThat(last).hasSize(1000);
        for (int k = 0; k < last.size(); k++) {
            int i = 4000 + k;
            assertThat(last.get(k).text()).isEqualTo(String.format("line %05d %s", i, "y".repeat(i % 150)));
        }
    }
}
