package dev.drover.logs;

import dev.drover.launch.OutputSink;
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
        for (int i = 0; i < length; i++) {
            if (buffer[i] == '\n') {
                emit(buffer, start, i - start);
                start = i + 1;
            }
        }
        keep(buffer, start, length - start);
        lines.batchDone();
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
                partial = Arrays.copyOf(partial, Math.min(MAX_LINE, Math.max(partial.length * 2, partialLength + take)));
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
