package dev.drover.logs;

import dev.drover.launch.OutputSink;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The log of one process instance: its stdout and stderr cut into lines, and Drover's own events
 * about it, each written to the rotating file, the ring buffer and whoever listens.
 */
public final class ProcessLog implements AutoCloseable {
    private static final byte[] NO_PREFIX = new byte[0];
    private static final byte[] DROVER_TAG = "[drover] ".getBytes(StandardCharsets.US_ASCII);
    /** Marks a line the process wrote to stderr, after the timestamp, as {@code drover logs} shows it. */
    private static final byte[] STDERR_TAG = "! ".getBytes(StandardCharsets.US_ASCII);

    /** After a failed write, how long to wait before trying the file again. */
    static final long RETRY_MILLIS = 2_000;

    private final String process;
    private final Path path;
    private final long maxSize;
    private final int keep;
    private final RotatingFile.Owner owner;
    private RotatingFile file;
    private final boolean timestamps;
    private final RingBuffer ring;
    private final Timestamps clock = new Timestamps();
    private final LogListeners listeners = new LogListeners();
    private String fileError;
    private long failedAtMillis;
    private long linesNotWritten;
    /** The error the file was reopened after; told as cleared once a write to it succeeds. */
    private String recovering;

    private boolean untold;

    public ProcessLog(String process, Path file, long maxSize, int keep, boolean timestamps, int ringLines) {
        this(process, file, maxSize, keep, timestamps, ringLines, null);
    }

    /** @param owner who the log files belong to (the user the process runs as), or null for Drover's */
    public ProcessLog(
            String process,
            Path file,
            long maxSize,
            int keep,
            boolean timestamps,
            int ringLines,
            RotatingFile.Owner owner) {
        this.process = process;
        this.path = file;
        this.maxSize = maxSize;
        this.keep = keep;
        this.timestamps = timestamps;
        this.owner = owner;
        this.ring = new RingBuffer(ringLines);
        try {
            this.file = new RotatingFile(file, maxSize, keep, owner);
        } catch (IOException e) {
            failed("cannot open log file " + file + ": " + reason(e), System.currentTimeMillis(), false);
        }
    }

    /**
     * The file cannot be written (disk full, read-only, gone): say so once — in the ring, to the
     * listeners (the console, the daemon's log, followers) — and keep the lines in memory only
     * until a retry succeeds.
     */
    private void failed(String error, long now, boolean tell) {
        boolean first = fileError == null && recovering == null;
        fileError = error;
        failedAtMillis = now;
        if (file != null) {
            file.discard();
        }
        if (first) {
            untold = !tell; // the constructor has no listeners yet: told with the first line instead
            if (tell) {
                tell(now, error + "; its lines are kept in memory only until the file can be written again");
            }
        }
    }

    /** After a failure, tries the file again now and then; true when it can be written. */
    private boolean writable(long now) {
        if (fileError == null) {
            return file != null;
        }
        if (now - failedAtMillis < RETRY_MILLIS) {
            return false;
        }
        try {
            if (file == null) {
                file = new RotatingFile(path, maxSize, keep, owner);
            } else {
                file.reopen();
            }
        } catch (IOException e) {
            failedAtMillis = now;
            return false;
        }
        // Opened; whether it takes data (a full disk) shows at the next flush.
        recovering = fileError;
        fileError = null;
        return true;
    }

    /** A flush put lines in the file: if that follows a failure, say the file works again. */
    private void wrote(long now) {
        if (recovering != null) {
            tell(
                    now,
                    "log file " + path + " can be written again; " + linesNotWritten + " lines were not written to it ("
                            + recovering + ")");
            recovering = null;
            linesNotWritten = 0;
        }
    }

    /** One of Drover's own lines to the ring and the listeners only (the file is what failed). */
    private void tell(long now, String message) {
        byte[] text = message.getBytes(StandardCharsets.UTF_8);
        ring.add(now, LogLine.Source.DROVER, text, 0, text.length);
        listeners.line(process, LogLine.Source.DROVER, now, text, 0, text.length);
    }

    private static String reason(IOException e) {
        String message = e.getMessage();
        // FileOutputStream says "PATH (Read-only file system)"; keep the part in parentheses.
        if (message != null && message.endsWith(")") && message.contains(" (")) {
            return message.substring(message.lastIndexOf(" (") + 2, message.length() - 1);
        }
        return message == null ? e.getClass().getSimpleName() : message;
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

    /**
     * A stream whose every line starts with {@code mark} (a hook's output, {@code "[pre_start] "}),
     * so that it is told apart from the process's own in the file, the ring and {@code logs}.
     */
    public OutputSink marked(LogLine.Source source, String mark) {
        return new Stream(source, mark.getBytes(StandardCharsets.UTF_8));
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
        if (untold) {
            untold = false;
            tell(now, fileError + "; its lines are kept in memory only until the file can be written again");
        }
        ring.add(now, source, buffer, offset, length);
        if (!writable(now)) {
            linesNotWritten++;
        } else {
            byte[] prefix = timestamps ? clock.bytes(now) : NO_PREFIX;
            try {
                byte[] tag = switch (source) {
                    case DROVER -> DROVER_TAG;
                    case STDERR -> STDERR_TAG;
                    case STDOUT -> NO_PREFIX;
                };
                if (tag.length > 0) {
                    byte[] tagged = new byte[prefix.length + tag.length];
                    System.arraycopy(prefix, 0, tagged, 0, prefix.length);
                    System.arraycopy(tag, 0, tagged, prefix.length, tag.length);
                    prefix = tagged;
                }
                file.write(prefix, buffer, offset, length);
            } catch (IOException e) {
                linesNotWritten++;
                failed("cannot write log file " + file.path() + ": " + reason(e), now, true);
            }
        }
        listeners.line(process, source, now, buffer, offset, length);
    }

    private void flushAll() {
        if (file != null && fileError == null) {
            try {
                if (file.flush()) {
                    wrote(System.currentTimeMillis());
                }
            } catch (IOException e) {
                failed("cannot write log file " + file.path() + ": " + reason(e), System.currentTimeMillis(), true);
            }
        }
        listeners.flush();
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
        private final byte[] mark;
        private final LineSplitter splitter = new LineSplitter(this);
        private long batchTime;

        Stream(LogLine.Source source) {
            this(source, NO_PREFIX);
        }

        Stream(LogLine.Source source, byte[] mark) {
            this.source = source;
            this.mark = mark;
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
            if (mark.length == 0) {
                record(batchTime, source, buffer, offset, length);
                return;
            }
            byte[] marked = new byte[mark.length + length];
            System.arraycopy(mark, 0, marked, 0, mark.length);
            System.arraycopy(buffer, offset, marked, mark.length, length);
            record(batchTime, source, marked, 0, marked.length);
        }

        @Override
        public void batchDone() {
            flushAll();
        }
    }
}
