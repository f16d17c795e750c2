package dev.drover.health;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** An http probe's expectations against a real HTTP server on loopback. */
class HttpProbeExpectTest {
    private HttpServer server;
    private volatile int status = 200;
    private volatile String body = "{\"status\":\"ok\",\"checks\":{\"db\":\"up\",\"cache\":\"down\"}}";

    @BeforeEach
    void setUp() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/health", exchange -> {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void tearDown() {
        server.stop(0);
    }

    private ProbeResult check(HttpProbe.Expect expect) throws InterruptedException {
        URI url = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/health");
        return new HttpProbe(url, expect).check(Duration.ofSeconds(5));
    }

    @Test
    void passesOnTheExpectedStatusBodyAndJsonFields() throws Exception {
        assertThat(check(new HttpProbe.Expect(200, "\"status\":\"ok\"", Map.of("checks.db", "up", "status", "ok")))
                        .success())
                .isTrue();
    }

    @Test
    void failsAndSaysWhatItSawWhenAnExpectationIsNotMet() throws Exception {
        ProbeResult json = check(new HttpProbe.Expect(null, null, Map.of("checks.cache", "up")));
        assertThat(json.success()).isFalse();
        assertThat(json.detail()).contains("checks.cache is \"down\" (expected \"up\")");

        ProbeResult text = check(new HttpProbe.Expect(null, "\"status\":\"degraded\"", Map.of()));
        assertThat(text.success()).isFalse();
        assertThat(text.detail()).contains("the body does not contain");

        status = 204;
        body = "";
        ProbeResult code = check(new HttpProbe.Expect(200, null, Map.of()));
        assertThat(code.success()).isFalse();
        assertThat(code.detail()).contains("status 204 (expected 200)");
        assertThat(check(HttpProbe.Expect.ANY_SUCCESS).success()).isTrue();

        status = 200;
        body = "not json";
        assertThat(check(new HttpProbe.Expect(null, null, Map.of("status", "ok")))
                        .detail())
                .contains("the body is not JSON");
    }
}
