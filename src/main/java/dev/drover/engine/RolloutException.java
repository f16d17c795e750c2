package dev.drover.engine;

/** A rollout stopped short: a replacement did not become ready in time; the old instance kept serving. */
public final class RolloutException extends Exception {
    RolloutException(String message) {
        super(message);
    }
}
