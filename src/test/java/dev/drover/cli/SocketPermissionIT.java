package dev.drover.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon's control socket is only for the user who runs it (DESIGN §6, docs/api.md): the
 * socket is 0600 in a 0700 directory. Checked with a real daemon and a real client ({@code curl})
 * run as user {@code nobody} through {@code setpriv}: refused with "Permission denied", while the
 * same request as the owner is answered. Needs root (to become {@code nobody}), {@code setpriv}
 * (util-linux) and {@code curl}, which {@code .ci/run} installs; without them the test fails and
 * says what is missing.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SocketPermissionIT {
    private static final String URL = "http://localhost/api/processes";

    @TempDir
    Path dir;

    private String setpriv;
    private String curl;

    @BeforeEach
    void tools() throws IOException {
        setpriv = onPath("setpriv").orElse(null);
        curl = onPath("curl").orElse(null);
        assertThat(setpriv)
                .as("setpriv (package util-linux) is needed on PATH to run a client as another user")
                .isNotNull();
        assertThat(curl).as("curl is needed on PATH as the socket's client").isNotNull();
        assertThat(Files.getAttribute(Path.of("/proc/self"), "unix:uid"))
                .as("this test must run as root, to run the client as user nobody")
                .isEqualTo(0);
        // @TempDir is private to its owner (0700), which alone would keep `nobody` out: open it, so
        // that only the runtime directory's and the socket's own modes stand in the way.
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @AfterEach
    void down() throws Exception {
        if (Files.exists(dir.resolve(".drover/drover.sock"))) {
            DroverProcess.run(dir, "down");
        }
    }

    @Test
    void anotherUserCannotConnectToTheControlSocket() throws Exception {
        Files.writeString(dir.resolve("drover.yaml"), "processes:\n  web: {command: \"exec sleep 300\"}\n");
        DroverProcess up = DroverProcess.run(dir, "up", "-d");
        assertThat(up.exitCode()).as(up.text()).isZero();
        Path runtime = dir.resolve(".drover");
        Path socket = runtime.resolve("drover.sock");

        assertThat(mode(socket)).as("mode of " + socket).isEqualTo("rw-------");
        assertThat(mode(runtime)).as("mode of " + runtime).isEqualTo("rwx------");

        Result owner = run(curl, "-sS", "-v", "--unix-socket", socket.toString(), URL);
        assertThat(owner.exit()).as("curl as the owner: " + owner).isZero();
        assertThat(owner.stdout()).contains("\"processes\"").contains("\"web\"");

        Result nobody = asNobody(curl, "-sS", "-v", "--unix-socket", socket.toString(), URL);
        assertThat(nobody.exit()).as("curl as nobody: " + nobody).isEqualTo(7); // couldn't connect
        assertThat(nobody.stderr()).as("curl as nobody").contains("Permission denied");
        assertThat(nobody.stdout()).isEmpty();

        // The socket's own mode guards it too: with the directory open to others, still refused.
        Files.setPosixFilePermissions(runtime, PosixFilePermissions.fromString("rwx--x--x"));
        try {
            Result throughOpenDirectory = asNobody(curl, "-sS", "-v", "--unix-socket", socket.toString(), URL);
            assertThat(throughOpenDirectory.exit())
                    .as("curl as nobody, directory 0711: " + throughOpenDirectory)
                    .isEqualTo(7);
            assertThat(throughOpenDirectory.stderr()).contains("Permission denied");

            // Control: with the socket opened as well, the same client as nobody does connect. So the
            // refusals above come from the modes, not from a client that cannot run as nobody.
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw-rw-"));
            Result opened = asNobody(curl, "-sS", "--unix-socket", socket.toString(), "http://localhost/alive");
            assertThat(opened.exit())
                    .as("curl as nobody once the socket is 0666: " + opened)
                    .isZero();
            assertThat(opened.stdout()).contains("alive");
        } finally {
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
            Files.setPosixFilePermissions(runtime, PosixFilePermissions.fromString("rwx------"));
        }

        // The daemon went on serving its owner throughout.
        Result after = run(curl, "-sS", "--unix-socket", socket.toString(), URL);
        assertThat(after.exit()).as(after.toString()).isZero();
        assertThat(after.stdout()).contains("\"running\"");
    }

    private record Result(int exit, String stdout, String stderr) {}

    private Result asNobody(String... command) throws Exception {
        List<String> full = new ArrayList<>(List.of(setpriv, "--reuid=nobody", "--regid=nogroup", "--clear-groups"));
        full.addAll(Arrays.asList(command));
        return run(full.toArray(String[]::new));
    }

    /** Runs a short command to completion (bounded), with its output captured in files. */
    private Result run(String... command) throws Exception {
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        Process process = new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .start();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                throw new AssertionError(String.join(" ", command) + " did not finish within 30 s");
            }
        } finally {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
        return new Result(
                process.exitValue(),
                Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    private static String mode(Path path) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
    }

    private static Optional<String> onPath(String program) {
        String path = Optional.ofNullable(System.getenv("PATH")).orElse("/usr/local/bin:/usr/bin:/bin");
        return Arrays.stream(path.split(File.pathSeparator))
                .map(d -> Path.of(d, program))
                .filter(Files::isExecutable)
                .map(Path::toString)
                .findFirst();
    }
}
