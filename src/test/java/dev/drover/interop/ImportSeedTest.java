package dev.drover.interop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drover.config.Command;
import dev.drover.config.ConfigLoader;
import dev.drover.config.DroverConfig;
import dev.drover.config.PortSpec;
import dev.drover.config.ProbeCheck;
import dev.drover.config.ProcessSpec;
import dev.drover.config.RouteSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImportSeedTest {
    @TempDir
    Path dir;

    @Test
    void processesAndTheirRoutesCarryOver() throws Exception {
        Fixtures.copy("seed", dir);
        Path output = dir.resolve("drover.yaml");
        ImportResult result =
                Importing.run(dir.resolve("processes.yaml"), null, output, new ImportOptions(null, Map.of()));
        assertThat(result.format()).isEqualTo(SourceFormat.SEED);
        DroverConfig config = ConfigLoader.parse(result.yaml(), output, Map.of());

        ProcessSpec api = config.processes().get("api");
        assertThat(api.command())
                .isEqualTo(
                        new Command.Exec(List.of("python3", "-u", "-m", "http.server", "3001", "--bind", "127.0.0.1")));
        assertThat(api.port()).isEqualTo(new PortSpec.Fixed(3001));
        assertThat(api.env()).containsEntry("SHOP_MODE", "production");
        assertThat(api.maxRestarts()).isEqualTo(5);
        assertThat(api.backoff().initial()).isEqualTo(Duration.ofSeconds(2));
        assertThat(api.readiness().check()).isEqualTo(new ProbeCheck.Http("http://127.0.0.1:3001/"));
        assertThat(api.readiness().interval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(api.readiness().timeout()).isEqualTo(Duration.ofSeconds(5));

        ProcessSpec mailer = config.processes().get("mailer");
        assertThat(mailer.command()).isEqualTo(Command.fromString("sh -c 'echo mailer up; exec sleep 3600'"));
        assertThat(mailer.readiness()).isNull();
        assertThat(mailer.backoff().initial()).isEqualTo(Duration.ofMillis(500));

        assertThat(config.routes())
                .containsExactly(
                        RouteSpec.toProcess("shop.example.test", "/", "api"),
                        new RouteSpec(
                                "status.example.test",
                                "/status",
                                null,
                                "http://127.0.0.1:9100",
                                false,
                                RouteSpec.Balance.ROUND_ROBIN));
        assertThat(config.proxy().listen()).isEqualTo("0.0.0.0:8080");
        assertThat(result.notes())
                .anySatisfy(n -> {
                    assertThat(n.source()).isEqualTo("proxy.yaml routes[0].ssl");
                    assertThat(n.detail()).contains("proxy.tls");
                })
                .anySatisfy(n -> {
                    assertThat(n.source()).isEqualTo("processes[0].pidFile");
                    assertThat(n.isMapped()).isFalse();
                })
                .anySatisfy(n -> {
                    assertThat(n.source()).isEqualTo("processes[1].healthCheck.enabled");
                    assertThat(n.detail()).contains("disabled");
                });
    }
}
