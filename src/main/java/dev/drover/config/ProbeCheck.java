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

    /**
     * GETs a URL; a 2xx or 3xx status passes, or what {@code expect} asks for.
     *
     * @param expect null: any 2xx or 3xx
     */
    record Http(String url, Expect expect) implements ProbeCheck {
        public Http {
            Objects.requireNonNull(url, "url");
        }

        public Http(String url) {
            this(url, null);
        }
    }

    /**
     * What an HTTP probe's answer must be to pass.
     *
     * @param status the exact status, or null for any 2xx or 3xx
     * @param body text the body must contain, or null
     * @param json fields of a JSON body and the values they must have, by dotted path
     *     ({@code status}, {@code checks.db}); empty for none
     */
    record Expect(Integer status, String body, java.util.Map<String, String> json) {
        public Expect {
            json = java.util.Map.copyOf(json);
        }
    }

    /** Opens a TCP connection to {@code host:port}; connecting passes. */
    record Tcp(String address) implements ProbeCheck {
        public Tcp {
            Objects.requireNonNull(address, "address");
        }
    }
}
