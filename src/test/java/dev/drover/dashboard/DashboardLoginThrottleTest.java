package dev.drover.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DashboardLoginThrottleTest {
    private final MovableClock clock = new MovableClock();
    private final LoginThrottle throttle = new LoginThrottle(clock, Duration.ofMinutes(1), 3, 5);

    @Test
    void anAddressMayTryAgainOnlyOnceItsOldestFailureLeftTheWindow() {
        for (int i = 0; i < 3; i++) {
            assertThat(throttle.waitFor("10.0.0.1")).isZero();
            throttle.failed("10.0.0.1");
            clock.advance(Duration.ofSeconds(10));
        }
        assertThat(throttle.waitFor("10.0.0.1")).isEqualTo(Duration.ofSeconds(30));
        assertThat(throttle.waitFor("10.0.0.2")).as("another address").isZero();
        clock.advance(Duration.ofSeconds(30));
        assertThat(throttle.waitFor("10.0.0.1")).isZero();
    }

    @Test
    void manyAddressesTogetherCloseTheLoginForEverybody() {
        for (int i = 0; i < 5; i++) {
            throttle.failed("10.0.0." + i);
        }
        assertThat(throttle.waitFor("10.0.0.99")).isEqualTo(Duration.ofMinutes(1));
        clock.advance(Duration.ofMinutes(1));
        assertThat(throttle.waitFor("10.0.0.99")).isZero();
    }
}
