package dev.drover.proxy;

import java.util.Arrays;

/** The latencies of a route's last requests (a fixed ring), for the p50 and p99 that `drover routes` shows. */
final class Latencies {
    private static final int KEEP = 1024;
    private final long[] nanos = new long[KEEP];
    private int count;
    private int next;

    synchronized void record(long durationNanos) {
        nanos[next] = durationNanos;
        next = (next + 1) % KEEP;
        count = Math.min(count + 1, KEEP);
    }

    /** The {@code q} quantile (0..1) in milliseconds, or null before any request. */
    synchronized Double quantileMillis(double q) {
        if (count == 0) {
            return null;
        }
        long[] sorted = Arrays.copyOf(nanos, count);
        Arrays.sort(sorted);
        int index = (int) Math.min(count - 1, Math.ceil(q * count) - 1);
        return sorted[Math.max(0, index)] / 1e6;
    }
}
