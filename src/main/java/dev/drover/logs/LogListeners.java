package dev.drover.logs;

/**
 * Listeners told in turn, themselves one listener. Telling them is on the path of every captured
 * line, so it allocates nothing: adding or removing one copies a small array instead.
 */
public final class LogListeners implements LogListener {
    private static final LogListener[] NONE = {};

    private volatile LogListener[] all = NONE;

    public synchronized void add(LogListener listener) {
        LogListener[] more = java.util.Arrays.copyOf(all, all.length + 1);
        more[all.length] = listener;
        all = more;
    }

    /** Removes the listener once (it may have been added more than once); unknown ones are ignored. */
    public synchronized void remove(LogListener listener) {
        LogListener[] now = all;
        for (int i = 0; i < now.length; i++) {
            if (now[i].equals(listener)) {
                LogListener[] fewer = new LogListener[now.length - 1];
                System.arraycopy(now, 0, fewer, 0, i);
                System.arraycopy(now, i + 1, fewer, i, now.length - i - 1);
                all = fewer;
                return;
            }
        }
    }

    @Override
    public void line(String process, LogLine.Source source, long timeMillis, byte[] buffer, int offset, int length) {
        for (LogListener listener : all) {
            listener.line(process, source, timeMillis, buffer, offset, length);
        }
    }

    @Override
    public void flush() {
        for (LogListener listener : all) {
            listener.flush();
        }
    }
}
