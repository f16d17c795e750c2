package dev.drover.daemon;

import dev.drover.config.Defaults;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The daemon's runtime directory (default `.drover/` beside {@code drover.yaml}, `.drover/NAME/`
 * beside any other {@code NAME.yaml}; `--runtime-dir` or $DROVER_RUNTIME_DIR override it): the
 * control socket, the pid file, the lock, the state file and the daemon's own log. Created with
 * mode 0700, so the socket is private from its first instant.
 */
public record RuntimeDir(Path dir) {
    /** A Unix socket path must fit in sun_path (108 bytes, with its NUL). */
    private static final int MAX_SOCKET_PATH = 107;

    public static RuntimeDir resolve(Path configFile, String override) {
        String chosen = override != null ? override : System.getenv("DROVER_RUNTIME_DIR");
        Path dir = chosen != null && !chosen.isEmpty()
                ? Path.of(chosen).toAbsolutePath().normalize()
                : Defaults.stateDir(configFile);
        return new RuntimeDir(dir);
    }

    public Path socket() {
        return dir.resolve("drover.sock");
    }

    public Path pidFile() {
        return dir.resolve("drover.pid");
    }

    public Path lockFile() {
        return dir.resolve("drover.lock");
    }

    public Path stateFile() {
        return dir.resolve("state.json");
    }

    public Path log() {
        return dir.resolve("drover.log");
    }

    /** Creates the directory (0700) and checks that the socket path is short enough. */
    public void create() throws IOException {
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        if (socket().toString().getBytes(StandardCharsets.UTF_8).length > MAX_SOCKET_PATH) {
            throw new IOException("the control socket path " + socket()
                    + " is longer than 107 bytes; choose a shorter --runtime-dir");
        }
    }

    /** The PID in the pid file, or -1. */
    public int recordedPid() {
        try {
            return Integer.parseInt(Files.readString(pidFile()).trim());
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }
}
