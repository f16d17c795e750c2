package dev.drover.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drover.interop.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** `drover export` through the real jar, its files checked by each ecosystem's own tool. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ExportCommandIT {
    @TempDir
    Path dir;

    @Test
    void systemdUnitsAreWrittenAndPassSystemdAnalyzeVerify() throws Exception {
        Assumptions.assumeTrue(
                Files.isExecutable(Path.of("/usr/bin/systemd-analyze")), "systemd-analyze is not installed");
        Fixtures.copy("export", dir);
        try (DaemonHarness drover = new DaemonHarness(dir)) {
            DaemonHarness.Result export = drover.run("export", "systemd", "--name", "shop", "-o", "units");
            assertThat(export.exitCode()).as(export.toString()).isZero();
            assertThat(export.output())
                    .contains("wrote " + dir.resolve("units/shop.target"))
                    .contains("not carried over: web: log");
            List<String> command = new ArrayList<>(List.of("systemd-analyze", "verify"));
            try (Stream<Path> units = Files.list(dir.resolve("units"))) {
                units.map(Path::toString).sorted().forEach(command::add);
            }
            assertThat(command).hasSize(7);
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
            builder.environment().put("SYSTEMD_UNIT_PATH", dir.resolve("units") + ":");
            Process verify = builder.start();
            String output = new String(verify.getInputStream().readAllBytes());
            assertThat(verify.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(verify.exitValue()).as(output).isZero();
        }
    }

    @Test
    void aComposeFileIsWrittenAndPassesDockerComposeConfig() throws Exception {
        Assumptions.assumeTrue(
                Files.isExecutable(Path.of("/usr/bin/docker-compose")), "docker-compose is not installed");
        Fixtures.copy("export", dir);
        try (DaemonHarness drover = new DaemonHarness(dir)) {
            DaemonHarness.Result export = drover.run("export", "compose", "--image", "shop:1.0");
            assertThat(export.exitCode()).as(export.toString()).isZero();
            Path compose = dir.resolve("drover-compose/compose.yaml");
            assertThat(compose).exists();
            Process check = new ProcessBuilder("docker-compose", "-f", compose.toString(), "config", "-q")
                    .redirectErrorStream(true)
                    .start();
            String output = new String(check.getInputStream().readAllBytes());
            assertThat(check.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(check.exitValue()).as(output).isZero();
        }
    }

    @Test
    void kubernetesManifestsAreWrittenAsOneList() throws Exception {
        Fixtures.copy("export", dir);
        try (DaemonHarness drover = new DaemonHarness(dir)) {
            DaemonHarness.Result export = drover.run("export", "kubernetes", "--image", "shop:1.0", "-o", "k8s");
            assertThat(export.exitCode()).as(export.toString()).isZero();
            assertThat(export.output()).contains("not carried over: migrate: cwd");
            var list = new com.fasterxml.jackson.databind.ObjectMapper(
                            new com.fasterxml.jackson.dataformat.yaml.YAMLFactory())
                    .readValue(
                            dir.resolve("k8s/kubernetes.yaml").toFile(),
                            io.fabric8.kubernetes.api.model.KubernetesList.class);
            assertThat(list.getItems())
                    .extracting(io.fabric8.kubernetes.api.model.HasMetadata::getKind)
                    .contains("Job", "Deployment", "Service", "ConfigMap");
            DaemonHarness.Result noImage = drover.run("export", "kubernetes");
            assertThat(noImage.exitCode()).isEqualTo(1);
            assertThat(noImage.output()).contains("--image IMAGE is required for kubernetes");
        }
    }

    @Test
    void aPm2EcosystemIsWrittenThatNodeLoadsAndDroverImportsBack() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/node")), "node is not installed");
        Fixtures.copy("export", dir);
        try (DaemonHarness drover = new DaemonHarness(dir)) {
            DaemonHarness.Result export = drover.run("export", "pm2");
            assertThat(export.exitCode()).as(export.toString()).isZero();
            assertThat(export.output()).contains("not carried over: worker: depends_on");
            Path ecosystem = dir.resolve("drover-pm2/ecosystem.config.js");
            DaemonHarness.Result back = drover.run("import", ecosystem.toString(), "-o", "drover-pm2/drover.yaml");
            assertThat(back.exitCode()).as(back.toString()).isZero();
            assertThat(back.output()).contains("apps[1].script -> processes.web.command");
            assertThat(drover.run("validate", "-f", "drover-pm2/drover.yaml").output())
                    .isEqualTo("ok\n");
        }
    }

    @Test
    void badRequestsGetAClearMessageAndANonZeroExit() throws Exception {
        Fixtures.copy("export", dir);
        try (DaemonHarness drover = new DaemonHarness(dir)) {
            DaemonHarness.Result noImage = drover.run("export", "compose");
            assertThat(noImage.exitCode()).isEqualTo(1);
            assertThat(noImage.output()).contains("--image IMAGE is required for compose");

            DaemonHarness.Result unknown = drover.run("export", "nomad");
            assertThat(unknown.exitCode()).isEqualTo(2);
            assertThat(unknown.output()).contains("unknown target nomad").contains("systemd|compose|kubernetes|pm2");

            Files.writeString(dir.resolve("broken.yaml"), "processes:\n  a:\n    comand: sleep 1\n");
            DaemonHarness.Result invalid = drover.run("export", "systemd", "-f", "broken.yaml");
            assertThat(invalid.exitCode()).isEqualTo(1);
            assertThat(invalid.output()).contains("nothing exported").contains("broken.yaml:3:5");
            assertThat(dir.resolve("drover-systemd")).doesNotExist();
        }
    }
}
