package dev.drover.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.drover.config.Command;
import dev.drover.config.ConfigLoader;
import dev.drover.config.Dependency;
import dev.drover.config.DroverConfig;
import dev.drover.config.ProcessSpec;
import dev.drover.config.RestartPolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImportSupervisordTest {
    private static final Map<String, String> ENV = Map.of("WEB_PORT", "18765", "PATH", "/usr/bin:/bin");

    @TempDir
    Path dir;

    private ImportResult result;
    private DroverConfig config;

    @BeforeEach
    void importTheShop() throws Exception {
        Fixtures.copy("supervisord", dir);
        Path output = dir.resolve("drover.yaml");
        result = Importing.run(dir.resolve("supervisord.conf"), null, output, new ImportOptions(null, ENV));
        config = ConfigLoader.parse(result.yaml(), output, ENV);
    }

    @Test
    void theFormatIsToldFromTheContent() {
        assertThat(result.format()).isEqualTo(SourceFormat.SUPERVISORD);
        assertThat(result.warnings()).isEmpty();
    }

    @Test
    void everyProgramBecomesAProcessIncludingThoseOfIncludedFiles() {
        assertThat(config.processes()).containsOnlyKeys("cache", "web", "worker", "report", "janitor");
    }

    @Test
    void programKeysBecomeProcessKeys() {
        ProcessSpec cache = config.processes().get("cache");
        assertThat(cache.command()).isInstanceOf(Command.Exec.class);
        assertThat(((Command.Exec) cache.command()).argv())
                .containsExactly("python3", "-u", "-c", "import time; print('cache up', flush=True); time.sleep(3600)");
        assertThat(cache.restart()).isEqualTo(RestartPolicy.ALWAYS);
        assertThat(cache.stopSignal().toString()).contains("INT");
        assertThat(cache.stopTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(cache.minUptime()).isZero();

        ProcessSpec web = config.processes().get("web");
        assertThat(((Command.Exec) web.command()).argv())
                .containsExactly("python3", "-u", "-m", "http.server", "18765", "--bind", "127.0.0.1");
        assertThat(web.cwd()).isEqualTo(dir.toAbsolutePath());
        assertThat(web.env()).containsEntry("GREETING", "hello from web").containsEntry("PRICE", "5$ each");
        assertThat(web.env()).containsEntry("SHOP_MODE", "test").containsEntry("SHOP_REGION", "eu");
        assertThat(web.restart()).isEqualTo(RestartPolicy.ON_FAILURE);
        assertThat(web.maxRestarts()).isEqualTo(5);
        assertThat(web.minUptime()).isEqualTo(Duration.ofSeconds(1));
        assertThat(web.log().maxSize()).isEqualTo(1L << 20);
        assertThat(web.log().keep()).isEqualTo(3);

        assertThat(config.processes().get("report").enabled()).isFalse();
        assertThat(config.processes().get("report").restart()).isEqualTo(RestartPolicy.NO);
    }

    @Test
    void numprocsBecomesReplicasAndProcessNumTheReplicaVariable() {
        ProcessSpec worker = config.processes().get("worker");
        assertThat(worker.replicas()).isEqualTo(2);
        assertThat(((Command.Exec) worker.command()).argv().get(2))
                .isEqualTo("echo \"worker ${DROVER_REPLICA} of 2 in shop\"; exec sleep 3600");
        assertThat(note("[program:worker] process_name").detail()).contains("worker.0, worker.1");
    }

    @Test
    void priorityBecomesStartOrderThroughDependencies() {
        assertThat(config.processes().get("cache").dependsOn()).isEmpty();
        assertThat(config.processes().get("web").dependsOn())
                .containsExactly(new Dependency("cache", Dependency.Condition.STARTED));
        assertThat(config.processes().get("worker").dependsOn())
                .containsExactly(new Dependency("web", Dependency.Condition.STARTED));
        assertThat(config.processes().get("janitor").dependsOn())
                .containsExactly(new Dependency("web", Dependency.Condition.STARTED));
        // a program autostart=false starts only when named: nothing may wait for it
        assertThat(config.processes().get("report").dependsOn()).isEmpty();
    }

    @Test
    void everyKeyOfEveryFileIsReportedMappedOrNot() throws Exception {
        for (Path file : List.of(dir.resolve("supervisord.conf"), dir.resolve("conf.d/janitor.conf"))) {
            String prefix = file.getFileName().toString().equals("supervisord.conf") ? "" : "conf.d/janitor.conf: ";
            for (Ini.Section section : Ini.parse(Files.readString(file), file)) {
                for (Ini.Entry entry : section.entries()) {
                    String source = prefix + "[" + section.name() + "] " + entry.key();
                    assertThat(result.notes())
                            .as("a note for %s", source)
                            .anyMatch(
                                    n -> n.source().equals(source) || n.source().startsWith(source + " "));
                }
            }
        }
    }

    @Test
    void keysDroverCannotHonourSayWhy() {
        assertThat(note("[program:worker] stderr_logfile").isMapped()).isFalse();
        assertThat(note("[program:worker] stderr_logfile").detail()).contains("same log as stdout");
        assertThat(note("[supervisord] pidfile").detail()).contains(".drover/drover.pid");
        assertThat(note("[inet_http_server] port", true)).isNull();
        assertThat(note("[unix_http_server] file").isMapped()).isFalse();
        assertThat(note("[group:shop] programs").detail()).contains("no groups");
        // user and umask are written if drover accepts them, else reported with the loader's reason
        ImportNote user = note("[program:report] user");
        assertThat(user.isMapped() ? user.target() : user.detail()).contains("user");
    }

    @Test
    void theResultSaysWhereItCameFromAndLoadsAsWritten() {
        assertThat(result.yaml()).startsWith("# Imported from supervisord.conf (supervisord)");
        assertThat(result.yaml()).doesNotContain("---");
    }

    @Test
    void anUnknownExpressionIsRefusedWithItsLine() throws Exception {
        Path conf = dir.resolve("bad.conf");
        Files.writeString(conf, "[program:a]\ncommand=/bin/sleep %(nope)s\n");
        assertThatThrownBy(() -> Importing.run(conf, null, dir.resolve("out.yaml"), new ImportOptions(null, ENV)))
                .isInstanceOf(InteropException.class)
                .hasMessageContaining("bad.conf:2")
                .hasMessageContaining("%(nope)s cannot be expanded");
    }

    @Test
    void aProgramWithoutCommandIsRefused() throws Exception {
        Path conf = dir.resolve("bad.conf");
        Files.writeString(conf, "[program:a]\nautostart=true\n");
        assertThatThrownBy(() -> Importing.run(conf, null, dir.resolve("out.yaml"), new ImportOptions(null, ENV)))
                .isInstanceOf(InteropException.class)
                .hasMessageContaining("[program:a] has no command");
    }

    @Test
    void anUnsetVariableIsAWarningNotAFailure() throws Exception {
        Path output = dir.resolve("drover.yaml");
        ImportResult withoutPort =
                Importing.run(dir.resolve("supervisord.conf"), null, output, new ImportOptions(null, Map.of()));
        assertThat(withoutPort.warnings()).anyMatch(w -> w.contains("WEB_PORT"));
        assertThat(withoutPort.yaml()).contains("${WEB_PORT}");
    }

    private ImportNote note(String source) {
        ImportNote note = note(source, false);
        assertThat(note).as("a note for %s in %s", source, result.notes()).isNotNull();
        return note;
    }

    private ImportNote note(String source, boolean mayBeMissing) {
        return result.notes().stream()
                .filter(n -> n.source().equals(source))
                .findFirst()
                .orElse(null);
    }
}
