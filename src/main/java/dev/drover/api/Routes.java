package dev.drover.api;

import dev.drover.control.ControlException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The API's routing table: a method and a path pattern ({@code /api/processes/{id}/start}) per
 * action. A path that matches a pattern under another method is a 405 with the allowed methods;
 * one that matches no pattern is a 404.
 */
final class Routes {
    /** What a route does with one request. */
    @FunctionalInterface
    interface Action {
        void handle(Exchange exchange) throws ControlException;
    }

    /** The outcome of looking a request up. */
    sealed interface Match {
        /** @param pattern the route as declared, e.g. {@code /api/processes/{id}}: what metrics name it by */
        record Found(Action action, Map<String, String> parameters, String pattern) implements Match {}

        record WrongMethod(Set<String> allowed) implements Match {}

        record Missing() implements Match {}
    }

    private record Route(String method, String declared, List<String> pattern, Action action) {
        /** The captured parameters when the path fits this pattern, else null. */
        Map<String, String> capture(List<String> path) {
            if (path.size() != pattern.size()) {
                return null;
            }
            Map<String, String> parameters = new HashMap<>();
            for (int i = 0; i < pattern.size(); i++) {
                String expected = pattern.get(i);
                if (expected.startsWith("{") && expected.endsWith("}")) {
                    if (path.get(i).isEmpty()) {
                        return null;
                    }
                    parameters.put(expected.substring(1, expected.length() - 1), path.get(i));
                } else if (!expected.equals(path.get(i))) {
                    return null;
                }
            }
            return parameters;
        }
    }

    private final List<Route> routes = new ArrayList<>();

    Routes add(String method, String pattern, Action action) {
        routes.add(new Route(method, pattern, segments(pattern), action));
        return this;
    }

    /** Looks up a request by method and its path's (already decoded) segments. */
    Match match(String method, List<String> path) {
        Set<String> allowed = new LinkedHashSet<>();
        for (Route route : routes) {
            Map<String, String> parameters = route.capture(path);
            if (parameters == null) {
                continue;
            }
            if (route.method().equals(method)) {
                return new Match.Found(route.action(), parameters, route.declared());
            }
            allowed.add(route.method());
        }
        return allowed.isEmpty() ? new Match.Missing() : new Match.WrongMethod(allowed);
    }

    private static List<String> segments(String pattern) {
        return Arrays.asList(pattern.substring(1).split("/", -1));
    }
}
