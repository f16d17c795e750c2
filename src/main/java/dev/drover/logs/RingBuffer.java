package dev.drover.logs;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The last lines of one process, kept in memory for `logs -n` and for following. Lines are copied
 * into one circular byte array, so recording a line allocates nothing; {@link LogLine}s are made
 * only when someone reads.
 */
public final class RingBuffer {
    private static final int DEFAULT_BYTES = 256 * 1024;

    private final long[] times;
    private final byte[] sources;
    private final long[] starts;
    private final int[] lengths;
    private final byte[] data;
    private long lines;
    private long bytes;

    public RingBuffer(int capacity) {
        this(capacity, DEFAULT_BYTES);
    }

    public RingBuffer(int capacity, int byteCapacity) {
        times = new long[capacity];
        sources = new byte[capacity];
        starts = new long[capacity];
        lengths = new int[capacity];
        data = new byte[byteCapacity];
    }

    public void add(LogLine line) {
        add(line.timeMillis(), line.source(), line.bytes(), 0, line.bytes().length);
    }

    /** Records a line; one longer than the whole buffer keeps only its start. */
    public synchronized void add(long timeMillis, LogLine.Source source, byte[] buffer, int offset, int length) {
        int kept = Math.min(length, data.length);
        int slot = (int) (lines % times.length);
        times[slot] = timeMillis;
        sources[slot] = (byte) source.ordinal();
        starts[slot] = bytes;
        lengths[slot] = kept;
        int at = (int) (bytes % data.length);
        int first = Math.min(kept, data.length - at);
        System.arraycopy(buffer, offset, data, at, first);
        System.arraycopy(buffer, offset + first, data, 0, kept - first);
        bytes += kept;
        lines++;
    }

    /** The last {@code n} lines still held, oldest first. */
    public synchronized List<LogLine> last(int n) {
        List<LogLine> result = new ArrayList<>();
        long oldestAllowed = Math.max(0, lines - times.length);
        for (long i = lines - 1; i >= oldestAllowed && result.size() < n; i--) {
            int slot = (int) (i % times.length);
            if (bytes - starts[slot] > data.length) {
                break; // its bytes were overwritten by newer lines
            }
            result.add(new LogLine(times[slot], LogLine.Source.values()[sources[slot]], copy(starts[slot], lengths[slot])));
        }
        java.util.Collections.reverse(result);
        return result;
    }

    /** How many lines were ever added. */
    public synchronized long written() {
        return lines;
    }

    private byte[] copy(long start, int length) {
        int at = (int) (start % data.length);
        int first = Math.min(length, data.length - at);
        byte[] out = Arrays.copyOfRange(data, at, at + first);
        if (first < length) {
            out = Arrays.copyOf(out, length);
            System.arraycopy(data, 0, out, first, length - first);
        }
        return out;
    }
}
