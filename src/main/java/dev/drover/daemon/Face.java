package dev.drover.daemon;

import dev.drover.logs.Console;
import dev.drover.logs.LogLine;
import dev.drover.logs.LogListener;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

/**
 * How the daemon speaks: in the background to its log file (its own events, timestamped), in the
 * foreground to the terminal (every process's output as {@code name | line}, its own words as
 * {@code drover | …}). Everything else about the daemon is the same in both.
 */
public sealed interface Face {
    /** What every process's log lines are told to. */
    LogListener output();

    /**
     * What the lines of processes with {@code output: stdout} (or {@code journal}) are told to
     * besides their log file, or null where every line is shown anyway.
     */
    default LogListener echo() {
        return null;
    }

    /** Says something about the daemon itself. */
    void say(String message);

    /** Whether a terminal hang-up (SIGHUP) stops everything, as in the foreground, instead of reloading. */
    boolean foreground();

    /** Called once the instance names are known, before the first line. */
    default void aligned(List<String> names) {}

    /** The background daemon: stdout is RUNTIME_DIR/drover.log (or the journal under systemd). */
    static Face background() {
        return new Background(System.out);
    }

    static Face foreground(Console console) {
        return new Foreground(console);
    }

    /** Writes the daemon's own words and Drover's events about each process, timestamped. */
    record Background(PrintStream out) implements Face {
        @Override
        public LogListener output() {
            return (process, source, timeMillis, buffer, offset, length) -> {
                if (source == LogLine.Source.DROVER) {
                    synchronized (out) {
                        out.println(Instant.ofEpochMilli(timeMillis) + " " + process + ": "
                                + new String(buffer, offset, length, StandardCharsets.UTF_8));
                        out.flush();
                    }
                }
            };
        }

        /**
         * Each line as {@code TIME NAME | line} ({@code NAME ! line} from stderr), so that under
         * systemd {@code journalctl -u} shows the service's output; flushed once per batch.
         */
        @Override
        public LogListener echo() {
            return new LogListener() {
                @Override
                public void line(
                        String process, LogLine.Source source, long timeMillis, byte[] buffer, int offset, int length) {
                    if (source == LogLine.Source.DROVER) {
                        return; // output() writes Drover's own lines already
                    }
                    byte[] head = (Instant.ofEpochMilli(timeMillis) + " " + process
                                    + (source == LogLine.Source.STDERR ? " ! " : " | "))
                            .getBytes(StandardCharsets.UTF_8);
                    synchronized (out) {
                        out.write(head, 0, head.length);
                        out.write(buffer, offset, length);
                        out.write('\n');
                    }
                }

                @Override
                public void flush() {
                    synchronized (out) {
                        out.flush();
                    }
                }
            };
        }

        @Override
        public void say(String message) {
            synchronized (out) {
                out.println(Instant.now() + " drover: " + message);
                out.flush();
            }
        }

        @Override
        public boolean foreground() {
            return false;
        }
    }

    /** The terminal of `drover up`. */
    record Foreground(Console console) implements Face {
        @Override
        public LogListener output() {
            return console;
        }

        @Override
        public void say(String message) {
            console.drover(message);
        }

        @Override
        public boolean foreground() {
            return true;
        }

        @Override
        public void aligned(List<String> names) {
            List<String> all = new java.util.ArrayList<>(names);
            all.add("drover");
            console.alignTo(all);
        }
    }
}
