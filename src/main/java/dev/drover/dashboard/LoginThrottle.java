package dev.drover.dashboard;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * Slows down token guessing on the login page: after {@code perAddress} wrong tokens from one
 * address within the window, that address may not try again (right token or not) until the oldest
 * of them leaves the window; {@code overall} wrong tokens from everywhere within the window close
 * the login for everybody the same way, so many addresses do not multiply the rate.
 */
final class LoginThrottle {
    private final Clock clock;
    private final Duration window;
    private final int perAddress;
    private final int overall;
    private final Map<String, ArrayDeque<Long>> failures = new HashMap<>(); // guarded by this
    private final ArrayDeque<Long> allFailures = new ArrayDeque<>(); // guarded by this

    LoginThrottle(Clock clock, Duration window, int perAddress, int overall) {
        this.clock = clock;
        this.window = window;
        this.perAddress = perAddress;
        this.overall = overall;
    }

    /** How long {@code address} must wait before its next attempt; zero when it may try now. */
    synchronized Duration waitFor(String address) {
        long now = clock.millis();
        forgetOld(now);
        long wait = 0;
        ArrayDeque<Long> mine = failures.get(address);
        if (mine != null && mine.size() >= perAddress) {
            wait = mine.peekFirst() + window.toMillis() - now;
        }
        if (allFailures.size() >= overall) {
            wait = Math.max(wait, allFailures.peekFirst() + window.toMillis() - now);
        }
        return Duration.ofMillis(Math.max(0, wait));
    }

    synchronized void failed(String address) {
        long now = clock.millis();
        failures.computeIfAbsent(address, a -> new ArrayDeque<>()).addLast(now);
        allFailures.addLast(now);
        forgetOld(now);
    }

    private void forgetOld(long now) {
        long oldest = now - window.toMillis();
        while (!allFailures.isEmpty() && allFailures.peekFirst() <= oldest) {
            allFailures.removeFirst();
        }
        failures.values().forEach(times -> {
            while (!times.isEmpty() && times.peekFirst() <= oldest) {
                times.removeFirst();
            }
        });
        failures.values().removeIf(ArrayDeque::isEmpty);
    }
}
