package dev.drover.daemon;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * What a daemon records so that its successor can clean up after it if it dies: its own PID,
 * start time and marker prefix, and each child's PID and start time. Written to a temp file and
 * renamed, so a reader never sees half of it.
 */
public final class StateFile {
    /** The daemon that wrote the file. */
    public record Daemon(int pid, long startTime, String markerPrefix, String config) {}

    /** One child process. */
    public record Child(String name, int pid, long startTime) {}

    /** The file's content. */
    public record State(Daemon daemon, List<Child> children) {}

    private static final ObjectMapper JSON = new ObjectMapper();

    private StateFile() {}

    public static void write(Path file, State state) throws IOException {
        Path temp = file.resolveSibling(file.getFileName() + ".new");
        Files.write(temp, JSON.writeValueAsBytes(state));
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** The recorded state, or null when there is none or it cannot be read. */
    public static State read(Path file) {
        try {
            return JSON.readValue(Files.readAllBytes(file), State.class);
        } catch (IOException e) {
            return null;
        }
    }
}
