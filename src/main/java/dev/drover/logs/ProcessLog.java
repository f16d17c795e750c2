package dev.drover.logs;

import dev.drover.launch.OutputSink;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The log of one process instance: its stdout and stderr cut into lines, and Drover's own events
 * about it, each written to the rotating file, the ring buffer and whoever listens.
 */
public final class ProcessLog implements AutoCloseable {
    private static final byte[] NO_PREFIX = new byte[0];
    private static final byte[] DROVER_TAG = "[drover] ".getBytes(StandardCharsets.US_ASCII);

    private final String process;
    private final RotatingFile file;
    private final boolean timestamps;
    private final RingBuffer ring;
    private final Timestamps clock = new Timestamps();
    private final List<LogListener> listeners = new CopyOnWriteArrayList<>();
    private String fileError;

    public ProcessLog(String process, Path file, long maxSize, int keep, boolean timestamps, int ringLines) {
        this.process = process;
        this.timestamps = timestamps;
        this.ring = new RingBuffer(ringLines);
        RotatingFile opened = null;
        try {
            opened = new RotatingFile(file, maxSize, keep);
        } catch (IOException e) {
            fileError = "cannot open log file " + file + ": " + e.getMessage();
        }
        this.file = opened;
    }

    public String process() {
        return process;
    }

    public RingBuffer ring() {
        return ring;
    }

    /** Why the log file cannot be written, or null when it can. */
    public synchronized String fileError() {
        return fileError;
    }

    public void addListener(LogListener listener) {
        listeners.add(listener);
    }

    public void removeListener(LogListener listener) {
        listeners.remove(listener);
    }

    public OutputSink stdout() {
        return new Stream(LogLine.Source.STDOUT);
    }

    public OutputSink stderr() {
        return new Stream(LogLine.Source.STDERR);
    }

    /** Records one of Drover's own events about this process. */
    public void announce(String message) {
        byte[] text = message.getBytes(StandardCharsets.UTF_8);
        synchronized (this) {
            record(System.currentTimeMillis(), LogLine.Source.DROVER, text, 0, text.length);
            flushAll();
        }
    }

    private void record(long now, LogLine.Source source, byte[] buffer, int offset, int length) {
        ring.add(now, source, buffer, offset, length);
        if (file != null && fileError == null) {
            byte[] prefix = timestamps ? clock.bytes(now) : NO_PREFIX;
            try {
                if (source == LogLine.Source.DROVER) {
                    byte[] tagged = new byte[prefix.length + DROVER_TAG.length];
                    System.arraycopy(prefix, 0, tagged, 0, prefix.length);
                    System.arraycopy(DROVER_TAG, 0, tagged, prefix.length, DROVER_TAG.length);
                    prefix = tagged;
                }
                file.write(prefix, buffer, offset, length);
            } catch (IOException e) {
                fileError = "cannot write log file " + file.path() + ": " + e.getMessage();
            }
        }
        for (LogListener listener : listeners) {
            listener.line(process, source, now, buffer, offset, length);
        }
    }

    private void flushAll() {
        if (file != null && fileError == null) {
            try {
                file.flush();
            } catch (IOException e) {
                fileError = "cannot write log file " + file.path() + ": " + e.getMessage();
            }
        }
        for (LogListener listener : listeners) {
            listener.flush();
        }
    }

    @Override
    public synchronized void close() {
        if (file != null) {
            try {
                file.close();
            } catch (IOException e) {
                fileError = "cannot close log file " + file.path() + ": " + e.getMessage();
            }
        }
    }

    /**
     * One output stream of the child: each batch the output thread reads is split into lines under
     * the log's lock once, with one arrival time, and flushed once.
     */
    private final class Stream implements OutputSink, LineSplitter.Lines {
        private final LogLine.Source source;
        private final LineSplitter splitter = new LineSplitter(this);
        private long batchTime;

        Stream(LogLine.Source source) {
            this.source = source;
        }

        @Override
        public void onData(byte[] buffer, int length) {
            synchronized (ProcessLog.this) {
                batchTime = System.currentTimeMillis();
                splitter.onData(buffer, length);
            }
        }

        @Override
        public void onClose() {
            synchronized (ProcessLog.this) {
                batchTime = System.currentTimeMillis();
                splitter.onClose();
            }
        }

        @Override
        public void line(byte[] buffer, int offset, int length) {
            record(batchTime, source, buffer, offset, length);
        }

        @Override
        public void batchDone() {
            flushAll();
        }
    }
}
