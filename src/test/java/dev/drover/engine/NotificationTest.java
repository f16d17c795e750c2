package dev.drover.engine;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Reading sd_notify messages: the assignments Drover acts on, and the ones it ignores. */
class NotificationTest {
    @Test
    void readsEveryAssignmentDroverActsOn() {
        Notification n = Notification.parse("READY=1\nSTATUS=Processing 3 jobs\nMAINPID=4242\nWATCHDOG=1\n");
        assertThat(n).isEqualTo(new Notification(true, false, false, "Processing 3 jobs", 4242, true, false));
    }

    @Test
    void stoppingReloadingAndTheWatchdogTrigger() {
        assertThat(Notification.parse("STOPPING=1").stopping()).isTrue();
        assertThat(Notification.parse("RELOADING=1").reloading()).isTrue();
        Notification trigger = Notification.parse("WATCHDOG=trigger");
        assertThat(trigger.watchdogTrigger()).isTrue();
        assertThat(trigger.watchdog()).isFalse();
    }

    @Test
    void ignoresUnknownMalformedAndNonOneValues() {
        Notification n = Notification.parse("READY=0\nERRNO=2\n=x\nnonsense\nMAINPID=-3\nMAINPID2=5\nWATCHDOG=2");
        assertThat(n).isEqualTo(new Notification(false, false, false, null, 0, false, false));
        assertThat(Notification.parse("MAINPID=abc").mainPid()).isZero();
    }

    @Test
    void anEmptyStatusIsKeptAndTheLastStatusWins() {
        assertThat(Notification.parse("STATUS=").status()).isEmpty();
        assertThat(Notification.parse("STATUS=a\nSTATUS=b=c").status()).isEqualTo("b=c");
    }
}
