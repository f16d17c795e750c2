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
 * Small files the engine keeps for others to read (a PID file, a schedule's last run): written
 * beside and renamed into place, so a reader or a crash sees the old file or the new one, never
 * half of one.
 */
final class RuntimeFiles {
    private RuntimeFiles() {}

    /**
     * Replaces {@code file} with {@code text}, creating its directory.
     *
     * @param mode like {@code "rw-r--r--"}, or null for the umask's
     * @param owner the user to own it, or null for Drover's
     */
    static void replace(Path file, String text, String mode, Accounts.User owner) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Path temp = file.resolveSibling("." + file.getFileName() + ".tmp");
        Files.writeString(temp, text, StandardCharsets.UTF_8);
        if (mode != null) {
            Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString(mode));
        }
        if (owner != null) {
            PosixFileAttributeView view = Files.getFileAttributeView(temp, PosixFileAttributeView.class);
            view.setOwner(temp.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(owner.name()));
        }
        try {
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
