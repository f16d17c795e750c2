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

    @Test
    void mergedMessagesKeepTheLaterStatusAndTheLaterSayOnReadiness() {
        Notification merged = Notification.parse("READY=1\nSTATUS=a\nMAINPID=7")
                .then(Notification.parse("WATCHDOG=1"))
                .then(Notification.parse("RELOADING=1\nSTATUS=b"))
                .then(Notification.parse("READY=1"));
        assertThat(merged).isEqualTo(new Notification(true, false, false, "b", 7, true, false));
        Notification reloading = Notification.parse("READY=1").then(Notification.parse("RELOADING=1"));
        assertThat(reloading.ready()).isFalse();
        assertThat(reloading.reloading()).isTrue();
        Notification stopping = Notification.parse("STOPPING=1").then(Notification.parse("READY=1\nSTATUS="));
        assertThat(stopping.stopping()).as("STOPPING=1 is not taken back").isTrue();
        assertThat(stopping.status()).isEmpty();
        assertThat(Notification.parse("WATCHDOG=trigger")
                        .then(Notification.parse("STATUS=x"))
                        .watchdogTrigger())
                .isTrue();
    }
}
