package dev.drover.config;

import java.util.Objects;

/**
 * A reverse-proxy rule: requests for {@code host} (any host when null) whose path starts with
 * {@code path} go to the ready instances of {@code process}.
 */
public record RouteSpec(String host, String path, String process) {

    public RouteSpec {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(process, "process");
    }
}
