package dev.drover;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.Callable;
import org.awaitility.core.ConditionTimeoutException;

/**
 * Waits on a condition (never a fixed sleep) and, when it does not come true in time, fails with
 * what the test saw at that moment — states, reasons, output — so that a flake explains itself.
 */
public final class Waits {
    private Waits() {}

    /** An account of what the test sees now; it may fail (the daemon is gone), which is said instead. */
    @FunctionalInterface
    public interface Seen {
        String describe() throws Exception;
    }

    /**
     * Polls {@code condition} until it holds or {@code atMost} passes; then fails with
     * {@code what} and {@code seen}'s account of the state.
     */
    public static void until(Duration atMost, String what, Callable<Boolean> condition, Seen seen) {
        try {
            await().atMost(atMost).pollInterval(Duration.ofMillis(20)).until(condition);
        } catch (ConditionTimeoutException e) {
            String account;
            try {
                account = seen.describe();
            } catch (Exception describing) {
                account = "(could not describe what was seen: " + describing + ")";
            }
            throw new AssertionError("waited " + atMost.toMillis() + " ms for " + what + "; saw:\n" + account, e);
        }
    }
}
