package dev.drover.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.drover.config.ConfigLoader;
import dev.drover.config.DroverConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExportSystemdTest {
    @TempDir
    Path dir;

    private ExportResult result;

    @BeforeEach
    void export() throws Exception {
        Fixtures.copy("export", dir);
        DroverConfig config = ConfigLoader.load(dir.resolve("drover.yaml"), Map.of());
        result = Exporting.run(ExportTarget.SYSTEMD, config, new ExportOptions("shop", null));
    }

    private String file(String name) {
        return result.files().stream()
                .filter(f -> f.name().equals(name))
                .findFirst()
                .orElseThrow(() -> new AssertionError(name + " not among "
                        + result.files().stream().map(ExportedFile::name).toList()))
                .content();
    }

    @Test
    void oneUnitPerProcessATemplateForReplicasAndATarget() {
        assertThat(result.files())
                .extracting(ExportedFile::name)
                .containsExactly(
                        "shop-migrate.service",
                        "shop-web.service",
                        "shop-worker@.service",
                        "shop-docs.service",
                        "shop.target");
        assertThat(file("shop.target"))
                .contains("Wants=shop-migrate.service shop-web.service shop-worker@0.service shop-worker@1.service\n")
                .contains("WantedBy=multi-user.target");
        assertThat(result.lost()).anyMatch(l -> l.startsWith("docs: enabled: false"));
    }

    @Test
    void dependenciesRestartsStopsAndLimitsBecomeDirectives() {
        assertThat(file("shop-migrate.service")).contains("Type=oneshot\n").contains("RemainAfterExit=yes\n");
        assertThat(file("shop-web.service"))
                .contains("Requires=shop-migrate.service\n")
                .contains("After=shop-migrate.service\n")
                .containsPattern("ExecStart=/\\S*/python3 -u -m http.server \\$\\{PORT} --bind 127.0.0.1\n")
                .contains("Environment=\"PORT=18090\"\n")
                .contains("Environment=\"GREETING=hello, 100%% sure\"\n")
                .contains("Environment=\"SHOP_MODE=test\"\n")
                .contains("Restart=always\n")
                .contains("RestartSec=2s\n")
                .contains("StartLimitBurst=6\n")
                .contains("StartLimitIntervalSec=2m\n")
                .contains("KillMode=mixed\n")
                .contains("KillSignal=SIGINT\n")
                .contains("TimeoutStopSec=5s\n")
                .contains("MemoryMax=268435456\n")
                .contains("CPUQuota=50%\n")
                .contains("ExecStartPost=/bin/sh -c \"until python3 -c ")
                .doesNotContain("RestartSteps");
        assertThat(file("shop-worker@.service"))
                .contains("Requires=shop-web.service\n")
                .contains("Environment=\"DROVER_REPLICA=%i\"\n")
                .contains("Restart=on-failure\n")
                .contains("RestartSec=1s\n")
                .contains("RestartSteps=5\n")
                .contains("RestartMaxDelaySec=30s\n");
    }

    @Test
    void aNotifyProcessBecomesTypeNotifyWithNotifyAccessAllAndItsWatchdog() throws Exception {
        Path own = Files.createDirectories(dir.resolve("notify"));
        Files.writeString(own.resolve("drover.yaml"), """
                processes:
                  svc:
                    command: ["/bin/sleep", "3600"]
                    notify: true
                    watchdog: 15s
                    backoff: {initial: 1s, max: 1s}   # no RestartSteps=, which systemd before 254 does not know
                  plain:
                    command: ["/bin/sleep", "3600"]
                    notify: true
                """);
        ExportResult exported = Exporting.run(
                ExportTarget.SYSTEMD,
                ConfigLoader.load(own.resolve("drover.yaml"), Map.of()),
                new ExportOptions("shop", null));
        String svc = exported.files().stream()
                .filter(f -> f.name().equals("shop-svc.service"))
                .findFirst()
                .orElseThrow()
                .content();
        assertThat(svc).contains("Type=notify\n").contains("NotifyAccess=all\n").contains("WatchdogSec=15s\n");
        String plain = exported.files().stream()
                .filter(f -> f.name().equals("shop-plain.service"))
                .findFirst()
                .orElseThrow()
                .content();
        assertThat(plain).contains("Type=notify\n").doesNotContain("WatchdogSec");
        if (Files.isExecutable(Path.of("/usr/bin/systemd-analyze"))) {
            Path unit = own.resolve("shop-svc.service");
            Files.writeString(unit, svc);
            Process verify = new ProcessBuilder("systemd-analyze", "verify", unit.toString())
                    .redirectErrorStream(true)
                    .start();
            String output = new String(verify.getInputStream().readAllBytes());
            assertThat(verify.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(output).as(output).doesNotContain("Unknown key", "Failed to parse");
        }
    }

    @Test
    void systemdAnalyzeVerifyAcceptsEveryUnit() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/systemd-analyze")), "systemd-analyze is not installed");
        Path units = Files.createDirectories(dir.resolve("units"));
        List<String> command = new ArrayList<>(List.of("systemd-analyze", "verify"));
        for (ExportedFile file : result.files()) {
            Files.writeString(units.resolve(file.name()), file.content());
            command.add(units.resolve(file.name()).toString());
        }
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("SYSTEMD_UNIT_PATH", units + ":");
        Process verify = builder.start();
        String output = new String(verify.getInputStream().readAllBytes());
        assertThat(verify.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(verify.exitValue()).as(output).isZero();
        // systemd before 254 does not know RestartSteps= and RestartMaxDelaySec= (docs/export.md); nothing else may be
        // said
        String complaints = output.lines()
                .filter(l -> l.contains(units.toString()))
                .filter(l ->
                        !l.contains("Unknown key 'RestartSteps'") && !l.contains("Unknown key 'RestartMaxDelaySec'"))
                .collect(Collectors.joining("\n"));
        assertThat(complaints).isEmpty();
    }
}
