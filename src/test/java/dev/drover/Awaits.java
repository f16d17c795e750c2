package dev.drover;

import java.util.concurrent.Callable;
import org.awaitility.core.ConditionFactory;
import org.awaitility.core.ConditionTimeoutException;

/**
 * {@link Waits#until} for a wait with settings of its own — a poll interval chosen for what it
 * polls, {@code during}, ignored exceptions — which are kept as they are: when the condition does
 * not come true (or does not hold long enough) in time, it fails with Awaitility's account of the
 * wait and what the test saw at that moment.
 */
public final class Awaits {
    private Awaits() {}

    /**
     * Runs {@code wait} (e.g. {@code await("alias").atMost(...).pollInterval(...)}) on {@code
     * condition}; on a timeout, fails with {@code what} and {@code seen}'s account of the state.
     */
    public static void until(ConditionFactory wait, String what, Callable<Boolean> condition, Waits.Seen seen) {
        try {
            wait.until(condition);
        } catch (ConditionTimeoutException e) {
            String account;
            try {
                account = seen.describe();
            } catch (Exception describing) {
                account = "(could not describe what was seen: " + describing + ")";
            }
            throw new AssertionError("waited for " + what + " (" + e.getMessage() + "); saw:\n" + account, e);
        }
    }
}
