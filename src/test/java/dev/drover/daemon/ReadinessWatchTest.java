package dev.drover.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.drover.Waits;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The wait for the daemon's readiness: woken by a nudge, not by its fallback interval. */
@Timeout(30)
class ReadinessWatchTest {
    private static final Duration NEVER = Duration.ofHours(1);

    private final AtomicBoolean goOn = new AtomicBoolean(true);
    private final AtomicBoolean ready = new AtomicBoolean();
    private final AtomicInteger looks = new AtomicInteger();

    @Test
    void aNudgeAfterTheConditionHoldsEndsTheWaitAtOnce() throws Exception {
        ReadinessWatch watch = new ReadinessWatch(NEVER);
        Waiting waiting = start(watch);
        awaitLooks(1, waiting);

        ready.set(true);
        watch.nudge();

        assertThat(waiting.result.get(5, TimeUnit.SECONDS))
                .as("ready seen after a nudge, with an hour's fallback")
                .isTrue();
    }

    @Test
    void aNudgeWhileNotReadyLooksAgainAndGoesOnWaiting() throws Exception {
        ReadinessWatch watch = new ReadinessWatch(NEVER);
        Waiting waiting = start(watch);
        awaitLooks(1, waiting);

        watch.nudge();
        awaitLooks(2, waiting);

        assertThat(waiting.result)
                .as("still waiting after a look that found it not ready")
                .isNotDone();
        ready.set(true);
        watch.nudge();
        assertThat(waiting.result.get(5, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void withoutANudgeTheFallbackLooksAgain() throws Exception {
        ReadinessWatch watch = new ReadinessWatch(Duration.ofMillis(20));
        Waiting waiting = start(watch);
        awaitLooks(1, waiting);

        ready.set(true);

        assertThat(waiting.result.get(5, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void aStopBeforeReadinessEndsTheWaitWithoutIt() throws Exception {
        ReadinessWatch watch = new ReadinessWatch(NEVER);
        Waiting waiting = start(watch);
        awaitLooks(1, waiting);

        goOn.set(false);
        watch.nudge();

        assertThat(waiting.result.get(5, TimeUnit.SECONDS))
                .as("no readiness once stopping")
                .isFalse();
    }

    @Test
    void anInterruptEndsTheWait() throws Exception {
        ReadinessWatch watch = new ReadinessWatch(NEVER);
        Waiting waiting = start(watch);
        awaitLooks(1, waiting);

        waiting.thread.interrupt();

        assertThatThrownBy(() -> waiting.result.get(5, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(InterruptedException.class);
    }

    @Test
    void aNudgeWithNobodyWaitingIsHarmless() throws Exception {
        ReadinessWatch watch = new ReadinessWatch(NEVER);
        watch.nudge();
        ready.set(true);

        assertThat(watch.await(goOn::get, ready::get)).isTrue();
    }

    private record Waiting(Thread thread, CompletableFuture<Boolean> result) {}

    private Waiting start(ReadinessWatch watch) {
        CompletableFuture<Boolean> result = new CompletableFuture<>();
        Thread thread = Thread.ofVirtual().name("readiness-test").start(() -> {
            try {
                result.complete(watch.await(goOn::get, () -> {
                    looks.incrementAndGet();
                    return ready.get();
                }));
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        return new Waiting(thread, result);
    }

    /** Until the waiter has looked {@code n} times and is parked again (or has ended). */
    private void awaitLooks(int n, Waiting waiting) {
        Waits.until(
                Duration.ofSeconds(10),
                n + " looks and a parked waiter",
                () -> looks.get() >= n
                        && (waiting.result.isDone() || waiting.thread.getState() == Thread.State.TIMED_WAITING),
                () -> "looks " + looks.get() + ", thread " + waiting.thread.getState() + ", result " + waiting.result);
    }
}
