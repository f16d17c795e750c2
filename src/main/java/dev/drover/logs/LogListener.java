package dev.drover.logs;

/** Is told every line of every process it listens to, as it is recorded. */
public interface LogListener {
    void line(String process, LogLine.Source source, long timeMillis, byte[] buffer, int offset, int length);

    /** A batch of lines has been delivered. */
    default void flush() {}
}
