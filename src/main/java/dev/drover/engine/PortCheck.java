package dev.drover.engine;

import dev.drover.launch.PortListeners;

/** Refuses a spawn on a fixed port that another process listens on, naming that process. */
final class PortCheck {
    private PortCheck() {}

    /**
     * Why the fixed {@code port} cannot be used now, or null when it is free (or held by a process of
     * this Drover's own that is being cleaned up: the child then finds out itself).
     */
    static String takenByOthers(Integer port) {
        if (port == null) {
            return null;
        }
        return PortListeners.on(port)
                .filter(holder -> !holder.ours())
                .map(holder -> "port " + port + " is in use by " + holder.describe())
                .orElse(null);
    }
}
