package dev.drover.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DashboardSessionsTest {
    private final MovableClock clock = new MovableClock();

    @TempDir
    Path dir;

    private Sessions sessions(Path file) {
        return file == null
                ? new Sessions(clock, Duration.ofHours(12), Duration.ofMinutes(2))
                : new Sessions(clock, Duration.ofHours(12), Duration.ofMinutes(2), file, "the-token");
    }

    @Test
    void aSessionIsFoundByItsIdUntilItExpires() {
        Sessions sessions = sessions(null);
        Sessions.Session session = sessions.open();
        assertThat(sessions.find(session.id())).isEqualTo(session);
        assertThat(sessions.find("not-" + session.id())).isNull();
        assertThat(sessions.find(null)).isNull();
        clock.advance(Duration.ofHours(12).minusSeconds(1));
        assertThat(sessions.find(session.id())).isNotNull();
        clock.advance(Duration.ofSeconds(1));
        assertThat(sessions.find(session.id())).as("expired after its lifetime").isNull();
    }

    @Test
    void eachSessionHasItsOwnCsrfTokenDifferentFromItsId() {
        Sessions sessions = sessions(null);
        Sessions.Session a = sessions.open();
        Sessions.Session b = sessions.open();
        assertThat(a.csrf()).isNotEqualTo(b.csrf()).isNotEqualTo(a.id());
        assertThat(a.id()).hasSizeGreaterThanOrEqualTo(43); // 256 random bits
    }

    @Test
    void logoutEndsTheSession() {
        Sessions sessions = sessions(null);
        Sessions.Session session = sessions.open();
        sessions.close(session.id());
        assertThat(sessions.find(session.id())).isNull();
    }

    @Test
    void aLoginCodeWorksOnceAndOnlyBeforeItExpires() {
        Sessions sessions = sessions(null);
        String code = sessions.issueCode();
        assertThat(sessions.redeem(code)).isTrue();
        assertThat(sessions.redeem(code)).as("second use").isFalse();
        String late = sessions.issueCode();
        clock.advance(Duration.ofMinutes(2));
        assertThat(sessions.redeem(late)).as("after two minutes").isFalse();
        assertThat(sessions.redeem("made-up")).isFalse();
        assertThat(sessions.redeem(null)).isFalse();
    }

    @Test
    void sessionsOutliveARestartInAPrivateFileThatHoldsNoUsableId() throws Exception {
        Path file = dir.resolve("dashboard-sessions.json");
        Sessions.Session kept = sessions(file).open();
        Sessions before = sessions(file);
        Sessions.Session gone = before.open();
        before.close(gone.id());

        Sessions after = sessions(file);
        assertThat(after.find(kept.id())).isEqualTo(kept);
        assertThat(after.find(gone.id())).as("logged out before the restart").isNull();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
                .isEqualTo("rw-------");
        assertThat(Files.readString(file)).doesNotContain(kept.id());
    }

    @Test
    void aChangedTokenLogsEverybodyOutAfterARestart() {
        Path file = dir.resolve("dashboard-sessions.json");
        Sessions.Session session = sessions(file).open();
        Sessions afterTokenChange =
                new Sessions(clock, Duration.ofHours(12), Duration.ofMinutes(2), file, "a-new-token");
        assertThat(afterTokenChange.find(session.id())).isNull();
    }

    @Test
    void anUnreadableSessionFileOnlyLogsEverybodyOut() throws Exception {
        Path file = dir.resolve("dashboard-sessions.json");
        Files.writeString(file, "{not json");
        Sessions sessions = sessions(file);
        Sessions.Session session = sessions.open();
        assertThat(sessions(file).find(session.id())).isEqualTo(session);
    }
}
