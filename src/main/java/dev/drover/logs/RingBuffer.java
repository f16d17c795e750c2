package dev.drover.logs;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * The last lines of one process, kept in memory for `logs -n` and for following. Lines are copied
 * into one circular byte array, so recording a line allocates nothing once the buffer has grown;
 * it starts small and doubles up to its limits, so a thousand quiet processes cost little.
 * {@link LogLine}s are made only when someone reads.
 */
public final class RingBuffer {
    private static final int DEFAULT_BYTES = 256 * 1024;
    private static final int INITIAL_LINES = 64;
    private static final int INITIAL_BYTES = 8 * 1024;

    private final int maxLines;
    private final int maxBytes;
    private long[] times;
    private byte[] sources;
    private long[] starts;
    private int[] lengths;
    private byte[] data;
    private long lines;
    private long bytes;

    public RingBuffer(int capacity) {
        this(capacity, DEFAULT_BYTES);
    }

    public RingBuffer(int capacity, int byteCapacity) {
        maxLines = capacity;
        maxBytes = byteCapacity;
        int slots = Math.min(capacity, INITIAL_LINES);
        times = new long[slots];
        sources = new byte[slots];
        starts = new long[slots];
        lengths = new int[slots];
        data = new byte[Math.min(byteCapacity, INITIAL_BYTES)];
    }

    public void add(LogLine line) {
        add(line.timeMillis(), line.source(), line.bytes(), 0, line.bytes().length);
    }

    /** Records a line; one longer than the whole buffer keeps only its start. */
    public synchronized void add(long timeMillis, LogLine.Source source, byte[] buffer, int offset, int length) {
        if (lines >= times.length && times.length < maxLines) {
            growSlots();
        }
        while (bytes + length > data.length && data.length < maxBytes) {
            growData();
        }
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
            result.add(new LogLine(
                    times[slot], LogLine.Source.values()[sources[slot]], copy(starts[slot], lengths[slot])));
        }
        Collections.reverse(result);
        return result;
    }

    /** How many lines were ever added. */
    public synchronized long written() {
        return lines;
    }

    /** Doubles the line slots, keeping every held line at its index modulo the new size. */
    private void growSlots() {
        int size = (int) Math.min(maxLines, times.length * 2L);
        long[] newTimes = new long[size];
        byte[] newSources = new byte[size];
        long[] newStarts = new long[size];
        int[] newLengths = new int[size];
        for (long i = Math.max(0, lines - times.length); i < lines; i++) {
            int from = (int) (i % times.length);
            int to = (int) (i % size);
            newTimes[to] = times[from];
            newSources[to] = sources[from];
            newStarts[to] = starts[from];
            newLengths[to] = lengths[from];
        }
        times = newTimes;
        sources = newSources;
        starts = newStarts;
        lengths = newLengths;
    }

    /** Doubles the byte buffer, keeping the held bytes at their positions modulo the new size. */
    private void growData() {
        int size = (int) Math.min(maxBytes, data.length * 2L);
        byte[] bigger = new byte[size];
        for (long p = Math.max(0, bytes - data.length); p < bytes; p++) {
            bigger[(int) (p % size)] = data[(int) (p % data.length)];
        }
        data = bigger;
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
