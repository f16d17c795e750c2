package dev.drover.cli;

import dev.drover.launch.ProcessRef;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads a process's children and their states from /proc, for tests that look at a drover from outside. */
final class ProcChildren {
    private ProcChildren() {}

    static ProcessRef onlyChildOf(long pid) {
        String children = read(pid);
        if (children.isBlank()) {
            return null;
        }
        return ProcessRef.of(Integer.parseInt(children.trim().split("\\s+")[0]));
    }

    static int children(long pid) {
        String children = read(pid);
        return children.isBlank() ? 0 : children.trim().split("\\s+").length;
    }

    static int zombieChildren(long pid) {
        int zombies = 0;
        String children = read(pid);
        if (children.isBlank()) {
            return 0;
        }
        for (String child : children.trim().split("\\s+")) {
            try {
                String stat = Files.readString(Path.of("/proc", child, "stat"));
                char state = stat.charAt(stat.lastIndexOf(')') + 2);
                if (state == 'Z') {
                    zombies++;
                }
            } catch (IOException e) {
                // gone
            }
        }
        return zombies;
    }

    private static String read(long pid) {
        StringBuilder all = new StringBuilder();
        try (var tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : tasks.toList()) {
                try {
                    all.append(Files.readString(task.resolve("children"))).append(' ');
                } catch (IOException e) {
                    // thread ended
                }
            }
        } catch (IOException e) {
            return "";
        }
        return all.toString();
    }
}
