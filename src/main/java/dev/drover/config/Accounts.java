package dev.drover.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Users and groups as the system's account files name them ({@code /etc/passwd}, {@code
 * /etc/group}): what {@code user} and {@code group} are checked against at validation, and where a
 * process run as a user finds its home.
 */
public final class Accounts {
    /**
     * One user.
     *
     * @param gid its primary group
     */
    public record User(String name, int uid, int gid, Path home) {}

    private static final Path PASSWD = Path.of("/etc/passwd");
    private static final Path GROUP = Path.of("/etc/group");

    private Accounts() {}

    /** The user of that name, or empty when the system has none. */
    public static Optional<User> user(String name) {
        return entry(PASSWD, name).filter(f -> f.length >= 6).flatMap(f -> {
            try {
                return Optional.of(new User(f[0], Integer.parseInt(f[2]), Integer.parseInt(f[3]), Path.of(f[5])));
            } catch (RuntimeException e) {
                return Optional.empty();
            }
        });
    }

    /** Whether the system has a group of that name. */
    public static boolean groupExists(String name) {
        return groupId(name).isPresent();
    }

    /** The ID of the group of that name, or empty when the system has none. */
    public static Optional<Integer> groupId(String name) {
        return entry(GROUP, name).flatMap(f -> {
            try {
                return Optional.of(Integer.parseInt(f[2]));
            } catch (RuntimeException e) {
                return Optional.empty();
            }
        });
    }

    /** The real user ID Drover runs as (0: root). */
    public static int currentUid() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return Integer.parseInt(line.substring(4).strip().split("\\s+")[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // fall through: unknown is treated as not root
        }
        return -1;
    }

    /** The colon-separated fields of the line for {@code name} in an account file. */
    private static Optional<String[]> entry(Path file, String name) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            return Optional.empty();
        }
        for (String line : lines) {
            String[] fields = line.split(":", -1);
            if (fields.length > 2 && fields[0].equals(name)) {
                return Optional.of(fields);
            }
        }
        return Optional.empty();
    }
}
