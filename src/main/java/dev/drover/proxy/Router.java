package dev.drover.proxy;

import dev.drover.config.RouteSpec;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * Picks the route for a request: among the routes whose host matches (exactly, by a {@code *.}
 * wildcard — any depth of subdomain, not the bare domain — or any host when the route names none),
 * the longest path prefix wins; on a tie, an exact host beats a wildcard beats any host. A prefix
 * matches whole path segments: {@code /api} matches {@code /api} and {@code /api/x}, not {@code /apix}.
 */
final class Router {
    private final List<Route> routes;

    Router(List<Route> routes) {
        List<Route> sorted = new ArrayList<>(routes);
        sorted.sort(Comparator.comparingInt((Route r) -> -r.spec().path().length())
                .thenComparingInt(r -> -specificity(r.spec().host())));
        this.routes = List.copyOf(sorted);
    }

    List<Route> routes() {
        return routes;
    }

    /** The route for this host (without its port) and path, or null. */
    Route match(String host, String path) {
        String h = host == null ? "" : host.toLowerCase(Locale.ROOT);
        for (Route route : routes) {
            if (hostMatches(route.spec().host(), h)
                    && prefixMatches(route.spec().path(), path)) {
                return route;
            }
        }
        return null;
    }

    static boolean hostMatches(String pattern, String host) {
        if (pattern == null) {
            return true;
        }
        String p = pattern.toLowerCase(Locale.ROOT);
        if (p.startsWith("*.")) {
            return host.endsWith(p.substring(1)) && host.length() > p.length() - 1;
        }
        return p.equals(host);
    }

    static boolean prefixMatches(String prefix, String path) {
        if (prefix.equals("/")) {
            return true;
        }
        String p = prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix;
        return path.equals(p) || path.startsWith(p + "/");
    }

    /** The path passed on: without the route's prefix when it strips it. */
    static String forwardedPath(RouteSpec route, String path) {
        if (!route.stripPrefix() || route.path().equals("/")) {
            return path;
        }
        String p = route.path().endsWith("/")
                ? route.path().substring(0, route.path().length() - 1)
                : route.path();
        String rest = path.substring(Math.min(p.length(), path.length()));
        return rest.isEmpty() ? "/" : rest;
    }

    private static int specificity(String host) {
        return host == null ? 0 : host.startsWith("*.") ? 1 : 2;
    }
}
