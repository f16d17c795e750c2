package dev.drover.launch;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Who listens on a TCP port, read from /proc/net/tcp{,6} and the owners' descriptor tables: so that
 * a port that is taken is refused before a spawn, naming the process that holds it.
 */
public final class PortListeners {
    /** The state column of a listening socket. */
    private static final String LISTEN = "0A";

    private PortListeners() {}

    /**
     * A process listening on the port.
     *
     * @param pid 0 when the socket was found but not its owner (another user's process)
     * @param command its command line, or null
     * @param ours whether a process that this Drover started holds it (a leftover being cleaned up)
     */
    public record Holder(int pid, String command, boolean ours) {
        public String describe() {
            if (pid == 0) {
                return "a process this user cannot see";
            }
            return "pid " + pid + (command == null || command.isBlank() ? "" : " (" + command + ")");
        }
    }

    /** The first listener found on {@code port}, on any address, or empty when none. */
    public static Optional<Holder> on(int port) {
        Set<String> inodes = new HashSet<>();
        for (String table : new String[] {"/proc/net/tcp", "/proc/net/tcp6"}) {
            inodes.addAll(listening(Path.of(table), port));
        }
        if (inodes.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(owner(inodes));
    }

    private static Set<String> listening(Path table, int port) {
        Set<String> inodes = new HashSet<>();
        String wanted = String.format(Locale.ROOT, ":%04X", port);
        byte[] bytes = Descriptors.readOrNull(table);
        if (bytes == null) {
            return inodes;
        }
        for (String line : new String(bytes, StandardCharsets.US_ASCII).split("\n")) {
            // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
            String[] f = line.trim().split("\\s+");
            if (f.length > 9 && f[1].endsWith(wanted) && f[3].equals(LISTEN)) {
                inodes.add(f[9]);
            }
        }
        return inodes;
    }

    private static Holder owner(Set<String> inodes) {
        Set<String> targets = new HashSet<>();
        inodes.forEach(inode -> targets.add("socket:[" + inode + "]"));
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"))) {
            for (Path proc : procs) {
                String name = proc.getFileName().toString();
                if (name.isEmpty() || !Character.isDigit(name.charAt(0))) {
                    continue;
                }
                int pid = Integer.parseInt(name);
                if (holds(proc.resolve("fd"), targets)) {
                    boolean ours = ProcessTable.environStartsWith(
                            pid, Launcher.MARKER_VARIABLE + "=" + Launcher.markerPrefix());
                    return new Holder(pid, commandLine(pid), ours);
                }
            }
        } catch (IOException | RuntimeException e) {
            // not found: said as unknown
        }
        return new Holder(0, null, false);
    }

    private static boolean holds(Path fds, Set<String> targets) {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(fds)) {
            for (Path fd : entries) {
                try {
                    if (targets.contains(Files.readSymbolicLink(fd).toString())) {
                        return true;
                    }
                } catch (IOException e) {
                    // closed meanwhile
                }
            }
        } catch (IOException e) {
            // not ours to look at, or gone
        }
        return false;
    }

    private static String commandLine(int pid) {
        byte[] bytes = Descriptors.readOrNull(Path.of("/proc", Integer.toString(pid), "cmdline"));
        if (bytes == null) {
            return null;
        }
        String text =
                new String(bytes, StandardCharsets.UTF_8).replace('\0', ' ').strip();
        return text.length() > 80 ? text.substring(0, 77) + "..." : text;
    }
}
