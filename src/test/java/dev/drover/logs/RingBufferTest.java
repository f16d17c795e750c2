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
}
