package dev.drover.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.drover.Waits;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** `drover scale` behind the reverse proxy: new instances take traffic, surplus ones drain before they stop. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ScaleProxyIT {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();

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
    void scalingDownDrainsTheSurplusInstanceSoItsRequestsInFlightFinish() throws Exception {
        stack = new ProxyStack(dir).start("""
                proxy: {listen: "127.0.0.1:0"}
                routes:
                  - {path: /, process: web}
                processes:
                  web:
                    command: ["python3", "backend.py"]
                    env: {SLOW_SECONDS: "3"}
                    replicas: 2
                    port: auto
                    readiness: {http: "http://127.0.0.1:${PORT}/health", interval: 100ms}
                    drain_timeout: 20s
                """);
        stack.awaitServing("/");

        DroverProcess up = stack.drover("scale", "web", "3");
        assertThat(up.exitCode()).as(up.text()).isZero();
        Waits.until(
                WAIT,
                "the proxy to send a request to the new web.2",
                () -> stack.json(stack.get("/")).get("name").asText().equals("web.2"),
                () -> stack.drover("ps").text() + stack.drover("routes").text());

        // Slow requests to every instance, web.2 among them; then web.2 is scaled away under them.
        HttpClient client = HttpClient.newHttpClient();
        List<CompletableFuture<HttpResponse<String>>> slow = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            slow.add(client.sendAsync(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + stack.port + "/slow"))
                            .timeout(Duration.ofSeconds(60))
                            .build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        Waits.until(
                WAIT,
                "a request in flight on web.2",
                () -> inFlight("web.2") > 0,
                () -> stack.drover("routes").text());

        DroverProcess down = stack.drover("scale", "web", "2");

        assertThat(down.exitCode()).as(down.text() + stack.log()).isZero();
        List<String> answeredBy = new ArrayList<>();
        for (CompletableFuture<HttpResponse<String>> request : slow) {
            HttpResponse<String> response = request.get(60, TimeUnit.SECONDS);
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            answeredBy.add(stack.json(response).get("name").asText());
        }
        assertThat(answeredBy).as("web.2 finished what it had in flight").contains("web.2");
        JsonNode routes = routes();
        assertThat(routes.findValuesAsText("instance")).containsExactlyInAnyOrder("web.0", "web.1");
        for (int i = 0; i < 6; i++) {
            assertThat(stack.json(stack.get("/")).get("name").asText()).isIn("web.0", "web.1");
        }
        assertThat(stack.drover("ps").text())
                .as("back to the file's count: no note")
                .doesNotContain("scaled to", "web.2");
    }

    private int inFlight(String instance) throws Exception {
        for (JsonNode route : routes().get("routes")) {
            for (JsonNode i : route.get("instances")) {
                if (i.get("instance").asText().equals(instance)) {
                    return i.get("inFlight").asInt();
                }
            }
        }
        return 0;
    }

    private JsonNode routes() throws Exception {
        DroverProcess routes = stack.drover("routes", "--json");
        assertThat(routes.exitCode()).as(routes.text()).isZero();
        return JSON.readTree(routes.text());
    }
}
