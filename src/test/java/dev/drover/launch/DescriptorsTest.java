package dev.drover.launch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DescriptorsTest {

    @Test
    void anOperationThatFindsTheTableFullRunsOnceMoreWithTheReserveFreedThenTheReserveIsTakenBack() throws Exception {
        Descriptors.fill();
        assertThat(Descriptors.held()).isEqualTo(Descriptors.RESERVE);
        List<Integer> heldAtEachRun = new ArrayList<>();
        String answer = Descriptors.withReserve(() -> {
            heldAtEachRun.add(Descriptors.held());
            if (heldAtEachRun.size() == 1) {
                throw new ErrnoException("cannot open /proc/1/stat", Descriptors.EMFILE);
            }
            return "read";
        });
        assertThat(answer).isEqualTo("read");
        assertThat(heldAtEachRun).containsExactly(Descriptors.RESERVE, 0);
        assertThat(Descriptors.held()).isEqualTo(Descriptors.RESERVE);
    }

    @Test
    void roomIsTheSoftLimitLessWhatIsOpenAndShrinksWithEachOpenDescriptor() throws Exception {
        long limit = -1;
        for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/limits"))) {
            if (line.startsWith("Max open files")) {
                limit = Long.parseLong(
                        line.substring("Max open files".length()).trim().split("\\s+")[0]);
            }
        }
        long before = Descriptors.room();
        assertThat(before).isPositive().isLessThan(limit);
        java.util.List<java.io.FileInputStream> held = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < 20; i++) {
                held.add(new java.io.FileInputStream("/dev/null"));
            }
            // Other threads of the test JVM may open or close a descriptor meanwhile: a little slack.
            assertThat(Descriptors.room()).isBetween(before - 23, before - 17);
        } finally {
            for (java.io.FileInputStream in : held) {
                in.close();
            }
        }
    }

    @Test
    void otherFailuresPassThroughWithoutARetry() {
        int[] runs = {0};
        assertThatThrownBy(() -> Descriptors.withReserve(() -> {
                    runs[0]++;
                    throw new IOException("No such file or directory");
                }))
                .hasMessage("No such file or directory");
        assertThat(runs[0]).isEqualTo(1);
    }

    @Test
    void nestedOperationsShareOneRelease() throws Exception {
        Descriptors.fill();
        int inner = Descriptors.withReserve(() -> {
            if (Descriptors.held() > 0) {
                throw new ErrnoException("cannot open", Descriptors.EMFILE);
            }
            return Descriptors.withReserve(Descriptors::held);
        });
        assertThat(inner).isZero();
        assertThat(Descriptors.held()).isEqualTo(Descriptors.RESERVE);
    }

    @Test
    void aSpareIsClosedForItsActionAndTakenBackAfterwardsLeavingTheReserveAlone() throws Exception {
        Descriptors.fill();
        Descriptors.Spare spare = new Descriptors.Spare();
        // Counted around the action, a few times over: a thread left by another test may open a file meanwhile.
        List<String> counts = new ArrayList<>();
        for (int attempt = 0; attempt < 5; attempt++) {
            long before = openDescriptors();
            long during = spare.use(() -> {
                assertThat(Descriptors.held()).isEqualTo(Descriptors.RESERVE);
                return openDescriptors();
            });
            long after = openDescriptors();
            counts.add(before + "/" + during + "/" + after);
            if (during == before - 1 && after == before) {
                return;
            }
        }
        throw new AssertionError(
                "open descriptors before/during/after never showed the spare closed and back: " + counts);
    }

    private static long openDescriptors() throws IOException {
        try (var fds = java.nio.file.Files.list(java.nio.file.Path.of("/proc/self/fd"))) {
            return fds.count() - 1; // the listing's own
        }
    }

    @Test
    void exhaustionIsRecognisedByItsErrnoThroughCauses() {
        assertThat(Descriptors.exhausted(new RuntimeException(new ErrnoException("cannot open", Descriptors.EMFILE))))
                .isTrue();
        assertThat(Descriptors.exhausted(new ErrnoException("cannot open", Descriptors.ENFILE)))
                .isTrue();
        assertThat(Descriptors.exhausted(new ErrnoException("cannot open", 13)))
                .as("EACCES")
                .isFalse();
    }

    @Test
    void theJdksOwnFailuresAreJudgedByTheTableNotByTheirWords() {
        // The words of EMFILE, with a table that has room: not exhaustion (the text is never parsed).
        assertThat(Descriptors.exhausted(new FileSystemException("/proc/1/stat", null, "Too many open files")))
                .isFalse();
        assertThat(Descriptors.exhausted(new IOException("Permission denied"))).isFalse();
    }
}
