package dev.drover.logs;

import java.util.ArrayList;
import java.util.List;

/** The last lines of one process, kept in memory for `logs -n` and for following. */
public final class RingBuffer {
    private final LogLine[] lines;
    private long written;

    public RingBuffer(int capacity) {
        lines = new LogLine[capacity];
    }

    public synchronized void add(LogLine line) {
        lines[(int) (written % lines.length)] = line;
        written++;
    }

    /** The last {@code n} lines, oldest first. */
    public synchronized List<LogLine> last(int n) {
        int count = (int) Math.min(Math.min(n, written), lines.length);
        List<LogLine> result = new ArrayList<>(count);
        for (long i = written - count; i < written; i++) {
            result.add(lines[(int) (i % lines.length)]);
        }
        return result;
    }

    /** How many lines were ever added. */
    public synchronized long written() {
        return written;
    }
}
