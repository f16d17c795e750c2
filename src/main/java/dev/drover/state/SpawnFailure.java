package dev.drover.state;

/**
 * A child could not be spawned: what went wrong in words, the errno when the OS said why (0 when
 * it did not), and whether the shortage is {@code temporary} (descriptors, memory, processes) and
 * so worth retrying with backoff.
 */
public record SpawnFailure(String detail, int errno, boolean temporary) {
    public static SpawnFailure permanent(String detail) {
        return new SpawnFailure(detail, 0, false);
    }
}
