package dev.drover.logs;

import dev.drover.launch.OutputSink;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Cuts a byte stream into lines. A line is never split or lost, except one longer than
 * {@link #MAX_LINE}, which is cut into pieces of that size rather than buffered without bound.
 */
public final class LineSplitter implements OutputSink {
    public static final int MAX_LINE = 64 * 1024;

    /** Receives whole lines (without the newline) and the end of each batch of input. */
    public interface Lines {
        void line(byte[] buffer, int offset, int length);

        /** A batch of input has been split: a good moment to flush. */
        default void batchDone() {}

        default void closed() {}
    }

    private final Lines lines;
    private byte[] partial = new byte[256];
    private int partialLength;
    /** A full piece of an over-long line was just handed over and nothing of the line followed yet. */
    private boolean splitPending;

    public LineSplitter(Lines lines) {
        this.lines = lines;
    }

    @Override
    public void onData(byte[] buffer, int length) {
        int start = 0;
        for (int i = indexOfNewline(buffer, 0, length); i >= 0; i = indexOfNewline(buffer, start, length)) {
            emit(buffer, start, i - start);
            start = i + 1;
        }
        keep(buffer, start, length - start);
        lines.batchDone();
    }

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long NEWLINES = 0x0a0a0a0a0a0a0a0aL;
    private static final long LOW_BITS = 0x0101010101010101L;
    private static final long HIGH_BITS = 0x8080808080808080L;

    /**
     * The index of the first '\n' in [from, to), or -1. Looks at eight bytes at a time: this scan
     * is most of the cost of capturing a flood of short lines.
     */
    static int indexOfNewline(byte[] buffer, int from, int to) {
        int i = from;
        for (; i + 8 <= to; i += 8) {
            long word = (long) LONGS.get(buffer, i) ^ NEWLINES;
            long found = (word - LOW_BITS) & ~word & HIGH_BITS;
            if (found != 0) {
                return i + (Long.numberOfTrailingZeros(found) >>> 3);
            }
        }
        for (; i < to; i++) {
            if (buffer[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    @Override
    public void onClose() {
        if (partialLength > 0) {
            lines.line(partial, 0, partialLength);
            partialLength = 0;
        }
        lines.batchDone();
        lines.closed();
    }

    private void emit(byte[] buffer, int offset, int length) {
        if (partialLength == 0) {
            if (length == 0 && splitPending) {
                // The newline that ends a line which filled its last piece exactly.
                splitPending = false;
                return;
            }
            while (length > MAX_LINE) {
                lines.line(buffer, offset, MAX_LINE);
                offset += MAX_LINE;
                length -= MAX_LINE;
            }
            lines.line(buffer, offset, length);
            splitPending = false;
            return;
        }
        keep(buffer, offset, length);
        if (partialLength > 0) {
            lines.line(partial, 0, partialLength);
            partialLength = 0;
        }
        splitPending = false;
    }

    /** Appends to the unfinished line, handing over full MAX_LINE pieces as they fill. */
    private void keep(byte[] buffer, int offset, int length) {
        while (length > 0) {
            int take = Math.min(MAX_LINE - partialLength, length);
            if (partialLength + take > partial.length) {
                partial =
                        Arrays.copyOf(partial, Math.min(MAX_LINE, Math.max(partial.length * 2, partialLength + take)));
            }
            System.arraycopy(buffer, offset, partial, partialLength, take);
            partialLength += take;
            offset += take;
            length -= take;
            splitPending = false;
            if (partialLength == MAX_LINE) {
                lines.line(partial, 0, partialLength);
                partialLength = 0;
                splitPending = true;
            }
        }
    }
}
