package dev.drover.engine;

import dev.drover.config.Accounts;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;

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
            Files.createDirectories(file.toAbsolutePath().getParent());
            Path temp = file.resolveSibling("." + file.getFileName() + ".tmp");
            Files.writeString(temp, pid + "\n", StandardCharsets.US_ASCII);
            Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-r--r--"));
            if (owner != null) {
                PosixFileAttributeView view = Files.getFileAttributeView(temp, PosixFileAttributeView.class);
                var lookup = temp.getFileSystem().getUserPrincipalLookupService();
                view.setOwner(lookup.lookupPrincipalByName(owner.name()));
            }
            try {
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
            }
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
