package dev.drover.launch;

/**
 * One child's private sd_notify socket: a bound AF_UNIX datagram socket whose address goes into
 * the child's {@code NOTIFY_SOCKET}. What arrives on it is handed to its {@link Listener} on the
 * daemon's one notify thread. Closing it unbinds it and removes its file.
 */
public interface NotifySocket extends AutoCloseable {
    /** Told each datagram, decoded as UTF-8; called on the notify thread, so it must only hand it on. */
    interface Listener {
        void received(String message);
    }

    /** What goes into NOTIFY_SOCKET: a path, or an abstract name starting with '@'. */
    String address();

    /** Stops listening, closes the socket and removes its file; a second call does nothing. */
    @Override
    void close();
}
