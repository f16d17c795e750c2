package dev.drover.config;

import java.util.Objects;

/**
 * A reverse-proxy rule: requests for {@code host} (exact, or {@code *.} wildcard; any host when
 * null) whose path starts with {@code path} go to the ready instances of {@code process}, or to a
 * fixed {@code target} Drover does not run.
 *
 * @param process null when the route has a {@code target}
 * @param target {@code http://host:port} (and maybe a path), or null when it names a process
 * @param stripPrefix remove {@code path} from the request path before passing it on
 */
public record RouteSpec(String host, String path, String process, String target, boolean stripPrefix, Balance balance) {

    /** How requests are spread over the instances of a process. */
    public enum Balance {
        ROUND_ROBIN,
        LEAST_CONN;

        public String yamlName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public RouteSpec {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(balance, "balance");
        if ((process == null) == (target == null)) {
            throw new IllegalArgumentException("a route names a process or a target");
        }
    }

    /** A route to a process's instances, round-robin, keeping the path. */
    public static RouteSpec toProcess(String host, String path, String process) {
        return new RouteSpec(host, path, process, null, false, Balance.ROUND_ROBIN);
    }
}
