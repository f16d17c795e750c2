package dev.drover.cli;

import dev.drover.control.Control;
import dev.drover.control.ControlException;
import dev.drover.control.RouteInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** `drover routes`: the reverse proxy's routes, where they send traffic, and how it goes. */
final class RoutesCommand extends RemoteCommand {
    @Override
    public String name() {
        return "routes";
    }

    @Override
    public String summary() {
        return "the proxy's routes, their instances, requests, errors and latency (--json)";
    }

    @Override
    public String usage() {
        return """
                Usage: drover routes [--file FILE] [--json]

                One block per route: HOST PATH → PROCESS (or TARGET), its requests, 5xx answers
                and latency (p50/p99 of the last requests), then each instance it sends traffic to
                with its port, whether it is in rotation, its requests in flight and its totals.
                --json prints GET /api/routes as is.
                """;
    }

    @Override
    Arguments parse(List<String> args) throws CliException {
        return Arguments.parse(name(), args, Set.of("--json"));
    }

    @Override
    int run(Arguments arguments, Control control) throws ControlException {
        List<RouteInfo> routes = control.routes();
        if (arguments.flags.contains("--json")) {
            System.out.println(Json.write(java.util.Map.of("routes", routes)));
            return ExitCodes.OK;
        }
        if (routes.isEmpty()) {
            System.out.println("no routes (add proxy: and routes: to the configuration)");
            return ExitCodes.OK;
        }
        StringBuilder out = new StringBuilder();
        for (RouteInfo r : routes) {
            String to = r.process() != null ? r.process() + " (" + r.balance().replace('_', '-') + ")" : r.target();
            out.append(r.host() == null ? "*" : r.host())
                    .append(r.path())
                    .append(r.stripPrefix() ? " (prefix stripped)" : "")
                    .append(" -> ")
                    .append(to)
                    .append("   requests ")
                    .append(r.requests())
                    .append(", errors ")
                    .append(r.errors());
            if (r.latencyMillisP50() != null) {
                out.append(String.format(
                        Locale.ROOT, ", p50 %.1fms, p99 %.1fms", r.latencyMillisP50(), r.latencyMillisP99()));
            }
            out.append('\n');
            if (r.process() != null && r.instances().isEmpty()) {
                out.append("    (no instance ready: requests wait up to queue_timeout, then 503)\n");
            }
            List<String[]> rows = new ArrayList<>();
            for (RouteInfo.Instance i : r.instances()) {
                rows.add(new String[] {
                    i.instance(),
                    ":" + i.port(),
                    i.inRotation() ? "in rotation" : "out of rotation",
                    i.inFlight() + " in flight",
                    i.requests() + " requests",
                    i.errors() + " errors"
                });
            }
            int[] widths = new int[6];
            rows.forEach(row -> {
                for (int c = 0; c < row.length; c++) {
                    widths[c] = Math.max(widths[c], row[c].length());
                }
            });
            for (String[] row : rows) {
                StringBuilder line = new StringBuilder("    ");
                for (int c = 0; c < row.length; c++) {
                    line.append(row[c]).append(" ".repeat(widths[c] - row[c].length() + 2));
                }
                out.append(line.toString().stripTrailing()).append('\n');
            }
        }
        System.out.print(out);
        return ExitCodes.OK;
    }
}
