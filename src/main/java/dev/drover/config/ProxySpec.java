package dev.drover.config;

import java.util.Objects;

/** Where the reverse proxy listens, as {@code host:port}. */
public record ProxySpec(String listen) {

    public ProxySpec {
        Objects.requireNonNull(listen, "listen");
    }
}
