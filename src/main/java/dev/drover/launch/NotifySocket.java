package dev.drover.launch;

/**
 * One child's private sd_notify socket: a bound AF_UNIX datagram socket whose address goes into
 * the child's {@code NOTIFY_SOCKET}. What arrives on it is handed to its {@link Listener} on the
 * daemon's one notify thread. Closing it unbinds it and removes its file.
 */
public interface NotifySocket extends AutoCloseable {
    /**
     * The longest message read: systemd's NOTIFY_BUFFER_MAX (PIPE_BUF). A longer one is dropped, as
     * systemd drops it.
     */
    int MAX_MESSAGE = 4096;

    /** Told each datagram, decoded as UTF-8; called on the notify thread, so it must only hand it on. */
    interface Listener {
        void received(String message);

        /** Told of a datagram longer than {@link #MAX_MESSAGE} bytes, which is dropped unread. */
        default void oversized(long length) {}
    }

    /** What goes into NOTIFY_SOCKET: a path, or an abstract name starting with '@'. */
    String address();

    /** Stops listening, closes the socket and removes its file; a second call does nothing. */
    @Override
    void close();
}
