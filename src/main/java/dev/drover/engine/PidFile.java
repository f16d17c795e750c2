package dev.drover.engine;

import dev.drover.config.Accounts;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A process's {@code pid_file}: written after each spawn (a whole file or none: written beside and
 * renamed), removed when that child's run ends — unless it names another PID by then. Mode 0644;
 * owned by the user the process runs as, so that it and its operator can read it.
 */
final class PidFile {
    private PidFile() {}

    /** Writes {@code pid}; null on success, else why it could not. */
    static String write(Path file, int pid, Accounts.User owner) {
        try {
            RuntimeFiles.replace(file, pid + "\n", "rw-r--r--", owner);
            return null;
        } catch (IOException | RuntimeException e) {
            return "cannot write pid_file " + file + ": " + e;
        }
    }

    /** Removes the file if it still names {@code pid}. */
    static void remove(Path file, int pid) {
        try {
            if (Files.readString(file, StandardCharsets.US_ASCII).strip().equals(Integer.toString(pid))) {
                Files.delete(file);
            }
        } catch (IOException | RuntimeException e) {
            // gone already, or someone else's now
        }
    }
}
