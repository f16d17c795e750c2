package dev.drover.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Zero-downtime restarts under load: a bounded client sends requests through the proxy at about
 * half of what it gets answered flat out, for at least 30 s and until `drover restart web` has run
 * ten times. Not one request may fail — no non-2xx answer, no socket error — and the load must have
 * met every generation of instances.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class ZeroDowntimeIT {
    private static final int RESTARTS = 10;
    private static final Duration LOAD_AT_LEAST = Duration.ofSeconds(30);
    private static final int WORKERS = 4;

    @TempDir
    Path dir;

    private ProxyStack stack;

    @AfterEach
    void stop() throws Exception {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void tenRestartsOfTwoReplicasUnderLoadFailNoRequest() throws Exception {
        restartsUnderLoadFailNothing(2);
    }

    @Test
    void tenRestartsOfOneReplicaUnderLoadFailNoRequest() throws Exception {
        restartsUnderLoadFailNothing(1);
    }

    private void restartsUnderLoadFailNothing(int replicas) throws Exception {
        stack = new ProxyStack(dir).start("""
                proxy: {listen: "127.0.0.1:0"}
                routes:
                  - {path: /, process: web}
                processes:
                  web:
                    command: ["python3", "backend.py"]
                    replicas: %d
                    port: auto
                    readiness: {http: "http://127.0.0.1:${PORT}/health", interval: 100ms}
                    drain_timeout: 10s
                    rollout: {max_surge: 1, max_unavailable: 0}
                """.formatted(replicas));
        stack.awaitServing("/");
        URI uri = URI.create("http://127.0.0.1:" + stack.port + "/load");

        double capacity =
                new Load(uri, 0).run(Duration.ofSeconds(3), () -> true).perSecond();
        double rate = Math.max(20, capacity / 2);
        Load load = new Load(uri, rate);
        AtomicBoolean restartsDone = new AtomicBoolean();
        Thread loader = Thread.ofPlatform().name("load").start(() -> load.run(LOAD_AT_LEAST, restartsDone::get));

        List<String> restarts = new ArrayList<>();
        try {
            for (int i = 0; i < RESTARTS; i++) {
                long began = System.nanoTime();
                DroverProcess restart = stack.drover("restart", "web");
                restarts.add("restart %d: exit %d in %d ms: %s"
                        .formatted(
                                i + 1,
                                restart.exitCode(),
                                (System.nanoTime() - began) / 1_000_000,
                                restart.text().strip().replace('\n', ' ')));
                assertThat(restart.exitCode())
                        .as("%s\n%s\n%s", restarts, stack.drover("ps").text(), stack.log())
                        .isZero();
            }
        } finally {
            restartsDone.set(true);
        }
        loader.join(Duration.ofSeconds(60));
        assertThat(loader.isAlive()).as("the load generator stopped").isFalse();

        String seen =
                "capacity %.0f req/s flat out; loaded at %.0f req/s: %d requests, %d answered 2xx, %d not 2xx, %d socket errors; first failures: %s; instances seen: %s\n%s\n%s"
                        .formatted(
                                capacity,
                                rate,
                                load.sent.get(),
                                load.ok.get(),
                                load.not2xx.get(),
                                load.socketErrors.get(),
                                load.failures,
                                load.instances,
                                String.join("\n", restarts),
                                stack.drover("routes").text());
        System.out.println("zero-downtime, replicas " + replicas + ": " + seen);
        assertThat(load.not2xx.get()).as(seen).isZero();
        assertThat(load.socketErrors.get()).as(seen).isZero();
        assertThat(load.ok.get()).as(seen).isEqualTo(load.sent.get()).isGreaterThan(0);
        // Every restart replaced every instance: the load met 1 + RESTARTS generations of each.
        assertThat(load.instances).as(seen).hasSizeGreaterThanOrEqualTo(replicas * (RESTARTS + 1));
    }

    /**
     * A bounded client: {@link #WORKERS} threads, each with its own keep-alive connection, sending
     * GETs one after another at {@code rate} requests per second in all (0: as fast as they can).
     */
    private static final class Load {
        final URI uri;
        final double rate;
        final AtomicLong sent = new AtomicLong();
        final AtomicLong ok = new AtomicLong();
        final AtomicLong not2xx = new AtomicLong();
        final AtomicLong socketErrors = new AtomicLong();
        final List<String> failures = Collections.synchronizedList(new ArrayList<>());
        final Set<String> instances = ConcurrentHashMap.newKeySet();
        private long elapsedNanos;

        Load(URI uri, double rate) {
            this.uri = uri;
            this.rate = rate;
        }

        /** Sends for at least {@code duration}, and on until {@code done} says so. */
        Load run(Duration duration, BooleanSupplier done) {
            long start = System.nanoTime();
            long end = start + duration.toNanos();
            List<Thread> workers = new ArrayList<>();
            for (int w = 0; w < WORKERS; w++) {
                workers.add(Thread.ofPlatform().name("load-" + w).start(() -> work(start, end, done)));
            }
            for (Thread worker : workers) {
                try {
                    worker.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            elapsedNanos = System.nanoTime() - start;
            return this;
        }

        double perSecond() {
            return ok.get() / (elapsedNanos / 1e9);
        }

        private void work(long start, long end, BooleanSupplier done) {
            HttpClient client = HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(5))
                    .build();
            long interval = rate > 0 ? (long) (WORKERS * 1e9 / rate) : 0;
            long next = start;
            try (client) {
                while (System.nanoTime() < end || !done.getAsBoolean()) {
                    if (interval > 0) {
                        next += interval;
                        long wait = next - System.nanoTime();
                        if (wait > 0) {
                            LockSupport.parkNanos(wait);
                        }
                    }
                    send(client);
                }
            }
        }

        private void send(HttpClient client) {
            sent.incrementAndGet();
            HttpRequest request =
                    HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20)).build();
            try {
                HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() / 100 == 2) {
                    ok.incrementAndGet();
                    JsonNode body = ProxyStack.JSON.readTree(response.body());
                    instances.add(
                            body.get("name").asText() + "/" + body.get("pid").asText());
                } else {
                    not2xx.incrementAndGet();
                    note(response.statusCode() + " " + response.body());
                }
            } catch (IOException e) {
                socketErrors.incrementAndGet();
                note(e.toString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private void note(String failure) {
            if (failures.size() < 5) {
                failures.add(failure);
            }
        }
    }
}
