package dev.drover.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.drover.Describe;
import dev.drover.Waits;
import dev.drover.config.Accounts;
import dev.drover.state.ProcessState;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code user}, {@code group}, {@code groups} and {@code umask} on real processes, read back from
 * /proc: PostgreSQL from Debian run as {@code postgres} (initdb as a one-shot, the server gated on
 * pg_isready, a client depending on it healthy), and a plain process as {@code nobody}. Needs
 * root, as running as another user does (CI runs as root).
 */
@Timeout(180)
class RunAsIT {
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final Path PG_BIN = findPostgres();

    private Path dir;
    private EngineFixture fixture;

    @BeforeEach
    void setUp() throws IOException {
        assumeTrue(Accounts.currentUid() == 0, "running processes as another user needs root");
        // Not under a 0700 temp dir: the users the processes run as must reach it.
        dir = Files.createTempDirectory(Path.of("/tmp"), "drover-runas-");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        fixture = new EngineFixture(dir);
    }

    @AfterEach
    void tearDown() throws IOException {
        if (fixture != null) {
            fixture.close();
        }
        if (dir != null) {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder())
                        .forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void aProcessRunsAsItsUserWithGroupsUmaskAndHomeAndItsHooksAndProbesDoToo() throws Exception {
        Path work = Files.createDirectory(dir.resolve("work"));
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxrwxrwx"));
        Engine engine = fixture.start("""
                processes:
                  job:
                    command: "touch made-by-job; exec sleep 300"
                    cwd: work
                    user: nobody
                    groups: [nogroup, postgres]
                    umask: "027"
                    pre_start: "id -u > pre-start-uid"
                    readiness: {exec: "test -f made-by-job", interval: 100ms}
                """);
        Waits.until(
                WAIT,
                "job ready",
                () -> engine.snapshot("job").health() == dev.drover.state.Health.READY,
                () -> EngineFixture.describe(engine));
        int pid = engine.snapshot("job").pid();
        Map<String, String> status = procStatus(pid);
        assertThat(status.get("Uid").split("\\s+")).containsOnly("65534");
        assertThat(status.get("Gid").split("\\s+")).containsOnly("65534");
        assertThat(status.get("Groups").split("\\s+"))
                .containsExactlyInAnyOrder(
                        "65534", Integer.toString(Accounts.groupId("postgres").orElseThrow()));
        assertThat(status.get("Umask")).isEqualTo("0027");
        String environ = Files.readString(Path.of("/proc", Integer.toString(pid), "environ"));
        assertThat(environ.split("\0")).contains("USER=nobody", "LOGNAME=nobody", "HOME=/nonexistent");
        Path made = work.resolve("made-by-job");
        assertThat(Files.getOwner(made).getName()).isEqualTo("nobody");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(made)))
                .isEqualTo("rw-r-----");
        assertThat(Files.readString(work.resolve("pre-start-uid")).strip()).isEqualTo("65534");
        // Its log file is the user's, so that it (and whoever runs as it) can read it.
        Path log = dir.resolve(".drover/logs/job.log");
        assertThat(log).as(Describe.directory(dir.resolve(".drover/logs"))).exists();
        assertThat(Files.getAttribute(log, "unix:uid")).isEqualTo(65534);
        assertThat(Files.getAttribute(log, "unix:gid")).isEqualTo(65534);
    }

    @Test
    void postgresRunsAsPostgresFromInitdbToAClientThatDependsOnItHealthy() throws Exception {
        assumeTrue(PG_BIN != null, "PostgreSQL is not installed (apt-get install postgresql; .ci/run does)");
        Path data = Files.createDirectory(dir.resolve("data"));
        Path sockets = Files.createDirectory(dir.resolve("sockets"));
        var postgres = Accounts.user("postgres").orElseThrow();
        for (Path p : List.of(data, sockets)) {
            Files.setOwner(p, p.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postgres"));
        }
        int port = freePort();
        Engine engine = fixture.start("""
                processes:
                  initdb:
                    command: [%1$s/initdb, -D, %2$s, -A, trust, -U, postgres]
                    user: postgres
                    restart: "no"
                  db:
                    command: [%1$s/postgres, -D, %2$s, -p, "%3$d", -k, %4$s, -h, 127.0.0.1]
                    user: postgres
                    stop_signal: INT
                    depends_on: {initdb: completed}
                    readiness: {exec: [%1$s/pg_isready, -h, 127.0.0.1, -p, "%3$d"], interval: 200ms, timeout: 5s}
                  client:
                    command: "%1$s/psql -h 127.0.0.1 -p %3$d -U postgres -c 'create table drover_check (x int)' && exec sleep 300"
                    user: postgres
                    depends_on: {db: healthy}
                """.formatted(PG_BIN, data, port, sockets));
        Waits.until(
                WAIT,
                "the client running once the database is healthy",
                () -> engine.snapshot("client").state() == ProcessState.RUNNING
                        && EngineFixture.announcements(engine, "client").stream()
                                .anyMatch(l -> l.startsWith("started")),
                () -> EngineFixture.describe(engine));
        Waits.until(
                WAIT,
                "the client's table created",
                () -> engine.log("client").ring().last(50).stream()
                        .anyMatch(l -> l.text().equals("CREATE TABLE")),
                () -> EngineFixture.describe(engine));
        assertThat(engine.snapshot("initdb").lastEnd().success()).isTrue();
        assertThat(Files.getOwner(data.resolve("PG_VERSION")).getName()).isEqualTo("postgres");
        List<Integer> tree = tree(engine.snapshot("db").pid());
        assertThat(tree).as("postgres and its workers").hasSizeGreaterThan(3);
        for (int pid : tree) {
            Map<String, String> status = procStatus(pid);
            if (status.isEmpty()) {
                continue; // a worker that ended meanwhile
            }
            assertThat(status.get("Uid").split("\\s+"))
                    .as("uid of pid %d (%s)", pid, status.get("Name"))
                    .containsOnly(Integer.toString(postgres.uid()));
            assertThat(status.get("Gid").split("\\s+"))
                    .as("gid of pid %d (%s)", pid, status.get("Name"))
                    .containsOnly(Integer.toString(postgres.gid()));
        }
        engine.stop(List.of("client", "db"));
        Waits.until(
                WAIT,
                "the database stopped by SIGINT (a fast shutdown), not killed",
                () -> engine.snapshot("db").state() == ProcessState.STOPPED,
                () -> EngineFixture.describe(engine));
        assertThat(engine.snapshot("db").lastEnd().forced()).isFalse();
    }

    private static Path findPostgres() {
        try (Stream<Path> versions = Files.list(Path.of("/usr/lib/postgresql"))) {
            return versions.map(v -> v.resolve("bin"))
                    .filter(bin -> Files.isExecutable(bin.resolve("postgres")))
                    .sorted()
                    .reduce((a, b) -> b)
                    .orElse(null);
        } catch (IOException e) {
            return null;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static Map<String, String> procStatus(int pid) {
        Map<String, String> fields = new java.util.HashMap<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Integer.toString(pid), "status"))) {
                int colon = line.indexOf(':');
                if (colon > 0) {
                    fields.put(
                            line.substring(0, colon), line.substring(colon + 1).strip());
                }
            }
        } catch (IOException e) {
            return Map.of();
        }
        return fields;
    }

    /** The PID and every descendant's, by the parent PIDs in /proc. */
    private static List<Integer> tree(int root) {
        List<Integer> found = new ArrayList<>(List.of(root));
        ProcessHandle.of(root).ifPresent(h -> h.descendants().forEach(d -> found.add((int) d.pid())));
        return found;
    }
}
