package dev.drover.launch;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A process's children as the kernel lists them, thread by thread, in
 * /proc/PID/task/TID/children: a look at one tree that costs a few reads, where finding children
 * through the parent field of every process means reading all of /proc.
 */
final class Children {
    /** Whether this kernel lists children at all (CONFIG_PROC_CHILDREN); without, a look reads all of /proc. */
    static final boolean LISTED = Files.exists(
            Path.of("/proc/self/task", Long.toString(ProcessHandle.current().pid()), "children"));

    private Children() {}

    /**
     * The orphans handed to this process as child subreaper (with, possibly, children it forked on
     * its main thread). The kernel gives an orphan to the first live thread of the subreaper, its
     * main thread (find_new_reaper, find_alive_thread in kernel/exit.c), whose file alone is read:
     * one read, where the JVM's thirty-odd threads would each need their own. The children that
     * Drover spawns are listed under the threads that spawned them, and are known without a look.
     *
     * @throws Descriptors.ExhaustedException when the listing could not be made
     */
    static List<Integer> handedToSelf() {
        int self = Launcher.selfPid();
        byte[] listed = Descriptors.readOrNull(
                Path.of("/proc", Integer.toString(self), "task", Integer.toString(self), "children"));
        if (listed == null) {
            throw new Descriptors.ExhaustedException(
                    "cannot list the children of " + self, new IOException("no children file for the main thread"));
        }
        return parse(listed, new ArrayList<>());
    }

    private static List<Integer> parse(byte[] listed, List<Integer> into) {
        for (String child : new String(listed, StandardCharsets.US_ASCII).split(" ")) {
            if (!child.isBlank()) {
                into.add(Integer.parseInt(child.trim()));
            }
        }
        return into;
    }

    /**
     * The children of every thread of {@code pid}; none when it is gone.
     *
     * @throws Descriptors.ExhaustedException when the listing could not be made
     */
    static List<Integer> of(int pid) {
        try {
            return Descriptors.withReserve(() -> list(pid));
        } catch (IOException e) {
            // A process that exists has a task directory: a listing that fails could not look.
            throw new Descriptors.ExhaustedException("cannot list the children of " + pid, e);
        }
    }

    private static List<Integer> list(int pid) throws IOException {
        List<Integer> children = new ArrayList<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc", Integer.toString(pid), "task"))) {
            for (Path task : tasks) {
                byte[] listed;
                try {
                    listed = KernelFiles.read(task.resolve("children"));
                } catch (ErrnoException e) {
                    if (Descriptors.exhausted(e.errno())) {
                        throw e;
                    }
                    continue; // the thread has exited since the directory was read
                }
                parse(listed, children);
            }
        } catch (NoSuchFileException e) {
            return List.of(); // gone
        } catch (java.nio.file.DirectoryIteratorException e) {
            if (e.getCause() instanceof NoSuchFileException) {
                return List.of(); // gone while its threads were listed
            }
            throw e.getCause();
        }
        return children;
    }
}
