package dev.drover.proxy;

import org.eclipse.jetty.util.Callback;

/**
 * One request through the proxy: its route, the upstream it is being sent to (changes when a
 * connection is refused and the request is retried elsewhere), and what completes it.
 */
final class Exchange {
    static final String ATTRIBUTE = Exchange.class.getName();

    final Route route;
    final String requestId;
    final long startedNanos = System.nanoTime();
    final Callback done;
    volatile Upstream upstream;
    volatile int attempts;
    /** Why it failed, for the access log: "connect", "timeout", "upstream", "no instance", or null. */
    volatile String failure;

    Exchange(Route route, String requestId, Callback done) {
        this.route = route;
        this.requestId = requestId;
        this.done = done;
    }
}
