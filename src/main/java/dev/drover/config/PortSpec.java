package dev.drover.config;

/** The TCP port a process listens on, exported to it as {@code $PORT}. */
public sealed interface PortSpec {

    /** Drover picks a free port for each instance. */
    record Auto() implements PortSpec {}

    /** One fixed port; only valid with a single replica. */
    record Fixed(int port) implements PortSpec {
        public Fixed {
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("port out of range: " + port);
            }
        }
    }
}
