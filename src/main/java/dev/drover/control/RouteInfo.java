package dev.drover.control;

import java.util.List;

/**
 * One route of the reverse proxy as {@code GET /api/routes} shows it, with its traffic since the
 * daemon started.
 *
 * @param host null for any host
 * @param process null for a route to a fixed target
 * @param target null for a route to a process
 * @param latencyMillisP50 median latency of its recent requests, or null before any
 * @param instances the instances it sends traffic to now (for a process route)
 */
public record RouteInfo(
        String host,
        String path,
        String process,
        String target,
        boolean stripPrefix,
        String balance,
        long requests,
        long errors,
        Double latencyMillisP50,
        Double latencyMillisP99,
        List<Instance> instances) {

    /**
     * @param inRotation whether new requests go to it (false while draining or held by hand)
     * @param inFlight requests (and streams) it is serving now
     */
    public record Instance(String instance, int port, boolean inRotation, int inFlight, long requests, long errors) {}
}
