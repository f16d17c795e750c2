package dev.drover.config;

import java.util.Objects;

/** What a probe does; its strings may still hold {@code ${PORT}} and the other instance variables. */
public sealed interface ProbeCheck {

    /** Runs a command; exit status 0 passes. */
    record Exec(Command command) implements ProbeCheck {
        public Exec {
            Objects.requireNonNull(command, "command");
        }
    }

    /** GETs a URL; a 2xx or 3xx status passes. */
    record Http(String url) implements ProbeCheck {
        public Http {
            Objects.requireNonNull(url, "url");
        }
    }

    /** Opens a TCP connection to {@code host:port}; connecting passes. */
    record Tcp(String address) implements ProbeCheck {
        public Tcp {
            Objects.requireNonNull(address, "address");
        }
    }
}
