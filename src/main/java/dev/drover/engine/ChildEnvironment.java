package dev.drover.engine;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * What children inherit of Drover's own environment: everything but the variables that speak for
 * Drover to its own supervisor. A child that saw systemd's NOTIFY_SOCKET would tell systemd READY
 * or STOPPING on Drover's behalf; one that saw LISTEN_FDS would take Drover's sockets for its own.
 */
final class ChildEnvironment {
    static final Set<String> WITHHELD =
            Set.of("NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID", "LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES");

    private ChildEnvironment() {}

    static Map<String, String> inherited(Map<String, String> own) {
        Map<String, String> env = new LinkedHashMap<>(own);
        env.keySet().removeAll(WITHHELD);
        return Map.copyOf(env);
    }
}
