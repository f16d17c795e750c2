package dev.drover;

import dev.drover.launch.ProcessRef;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Small accounts of what a test sees outside the code under test — a process in /proc, a file, a
 * directory — for a failed {@link Waits#until} to print.
 */
public final class Describe {
    private static final int MAX_CHARS = 2000;

    private Describe() {}

    /** "pid N (comm): state S, ppid P", or that it is gone. */
    public static String process(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            int close = stat.lastIndexOf(')');
            String comm = stat.substring(stat.indexOf('(') + 1, close);
            String[] rest = stat.substring(close + 2).split(" ");
            return "pid " + pid + " (" + comm + "): state " + rest[0] + ", ppid " + rest[1];
        } catch (IOException | RuntimeException e) {
            return "pid " + pid + ": gone";
        }
    }

    /** Like {@link #process(long)}, but a PID that now names another process (another start time) is said to be gone. */
    public static String process(ProcessRef ref) {
        if (ref == null) {
            return "(no process)";
        }
        return ref.isAlive() ? process(ref.pid()) : "pid " + ref.pid() + ": gone";
    }

    /** One line per process. */
    public static String processes(List<ProcessRef> refs) {
        StringBuilder text = new StringBuilder();
        for (ProcessRef ref : refs) {
            text.append("  ").append(process(ref)).append('\n');
        }
        return text.isEmpty() ? "  (no processes)\n" : text.toString();
    }

    /** A file's size and its last lines (the end is what grows), or that it is absent. */
    public static String file(Path file) {
        try {
            byte[] bytes = Files.readAllBytes(file);
            String text = new String(bytes, StandardCharsets.ISO_8859_1);
            String tail = text.length() > MAX_CHARS ? "..." + text.substring(text.length() - MAX_CHARS) : text;
            return file + " (" + bytes.length + " bytes):\n" + tail + (tail.endsWith("\n") ? "" : "\n");
        } catch (NoSuchFileException e) {
            return file + ": absent\n";
        } catch (IOException e) {
            return file + ": cannot read (" + e + ")\n";
        }
    }

    /** The files of a directory with their sizes, or that it is absent. */
    public static String directory(Path dir) {
        StringBuilder text = new StringBuilder(dir + ":\n");
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.sorted().toList()) {
                String size;
                try {
                    size = Files.isDirectory(f) ? "(directory)" : Files.size(f) + " bytes";
                } catch (IOException e) {
                    size = "(gone)";
                }
                text.append("  ")
                        .append(f.getFileName())
                        .append(' ')
                        .append(size)
                        .append('\n');
            }
        } catch (NoSuchFileException e) {
            return dir + ": absent\n";
        } catch (IOException e) {
            text.append("  (cannot list: ").append(e).append(")\n");
        }
        return text.toString();
    }
}
