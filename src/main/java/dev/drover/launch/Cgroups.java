package dev.drover.launch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * One cgroup v2 directory per started child, under a directory of this Drover's own, when cgroup v2
 * is mounted and writable; found in /proc/self/mountinfo, never at a fixed path. A name that has
 * run before gets its next cgroup made ahead (an empty directory), so that a restart does not wait
 * for the kernel to make one.
 */
final class Cgroups {
    private static final Pattern UNSAFE = Pattern.compile("[^A-Za-z0-9_.-]");

    private final Path base;
    private final AtomicLong sequence = new AtomicLong();
    /** The names that have had a cgroup. */
    private final Set<String> used = ConcurrentHashMap.newKeySet();
    /** One empty cgroup made ahead for each name that has run more than once. */
    private final Map<String, Path> spares = new ConcurrentHashMap<>();
    /** Set when everything is being removed at exit: no more spares are made. */
    private boolean closed;

    private Cgroups(Path base) {
        this.base = base;
    }

    /** The cgroup root for this JVM, or null when cgroup v2 is absent, read-only, or turned off. */
    static Cgroups detect() {
        Path base = baseFor(Launcher.selfId());
        if (base == null) {
            return null;
        }
        try {
            Files.createDirectories(base);
            if (!Files.isWritable(base.resolve("cgroup.procs")) || !Files.exists(base.resolve("cgroup.kill"))) {
                Files.deleteIfExists(base);
                return null;
            }
        } catch (IOException | RuntimeException e) {
            return null;
        }
        Cgroups cgroups = new Cgroups(base);
        Runtime.getRuntime().addShutdownHook(new Thread(cgroups::removeAll, "drover-cgroup-cleanup"));
        return cgroups;
    }

    /**
     * Where the Drover with identity {@code id} ("PID.starttime") in our cgroup keeps (or kept)
     * its cgroups; null without cgroup v2. Named by PID and start time, never by PID alone.
     */
    static Path siblingBase(String id) {
        return baseFor(id);
    }

    private static Path baseFor(String id) {
        String setting = System.getProperty("drover.cgroups", System.getenv().getOrDefault("DROVER_CGROUPS", "auto"));
        if (setting.equals("off")) {
            return null;
        }
        try {
            Path mount = null;
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                // fields: id parent major:minor root mountpoint options ... - fstype source superoptions
                String[] parts = line.split(" - ", 2);
                if (parts.length == 2 && parts[1].startsWith("cgroup2 ")) {
                    mount = Path.of(parts[0].split(" ")[4]);
                    break;
                }
            }
            if (mount == null) {
                return null;
            }
            String own = null;
            for (String line : Files.readAllLines(Path.of("/proc/self/cgroup"))) {
                if (line.startsWith("0::")) {
                    own = line.substring(3);
                }
            }
            if (own == null) {
                return null;
            }
            return mount.resolve(own.substring(1)).resolve("drover-" + id);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** A new cgroup for a run of {@code name}: the one made ahead for it when there is one. */
    Path take(String name) throws IOException {
        Path spare = spares.remove(name);
        return spare != null ? spare : create(name);
    }

    /**
     * Off the spawn's path, after a run of {@code name} started: when it has run before (it
     * restarts), makes the cgroup of its next run now. Those left over are removed with the rest at
     * exit.
     */
    void makeAhead(String name) {
        if (used.add(name) || spares.containsKey(name)) {
            return;
        }
        synchronized (spares) {
            if (closed) {
                return; // removeAll has begun: a directory made now would outlive it
            }
            try {
                spares.put(name, create(name));
            } catch (IOException e) {
                // the next spawn makes its own
            }
        }
    }

    private Path create(String name) throws IOException {
        Path dir = base.resolve(UNSAFE.matcher(name).replaceAll("_") + "-" + sequence.incrementAndGet());
        Files.createDirectory(dir);
        return dir;
    }

    static void attach(Path cgroup, int pid) throws IOException {
        KernelFiles.write(cgroup.resolve("cgroup.procs"), Integer.toString(pid));
    }

    /**
     * The processes in the cgroup; none when it is gone.
     *
     * @throws Descriptors.ExhaustedException when no descriptor could be had to read it
     */
    static List<Integer> pids(Path cgroup) {
        List<Integer> pids = new ArrayList<>();
        byte[] procs = Descriptors.readOrNull(cgroup.resolve("cgroup.procs"));
        if (procs == null) {
            return pids; // gone: nothing left in it
        }
        new String(procs, java.nio.charset.StandardCharsets.US_ASCII)
                .lines()
                .filter(line -> !line.isBlank())
                .forEach(line -> pids.add(Integer.parseInt(line.trim())));
        return pids;
    }

    /** CPU time used by every process that was ever in the cgroup ({@code cpu.stat} usage_usec), or -1 when unreadable. */
    static long cpuUsageNanos(Path cgroup) {
        try {
            String stat = new String(
                    KernelFiles.read(cgroup.resolve("cpu.stat")), java.nio.charset.StandardCharsets.US_ASCII);
            for (String line : stat.split("\n")) {
                if (line.startsWith("usage_usec ")) {
                    return Long.parseLong(line.substring("usage_usec ".length()).trim()) * 1000;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // removed, or a kernel without it: measured through /proc instead
        }
        return -1;
    }

    /** SIGKILL to every process in the cgroup, at once (false when it is gone, or no descriptor could be had). */
    static boolean kill(Path cgroup) {
        try {
            Descriptors.withReserve(() -> {
                KernelFiles.write(cgroup.resolve("cgroup.kill"), "1");
                return null;
            });
            return true;
        } catch (IOException e) {
            return false; // already removed, or (with the reserve taken too) no descriptor to spare
        }
    }

    static boolean remove(Path cgroup) {
        try {
            Files.deleteIfExists(cgroup);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private void removeAll() {
        synchronized (spares) {
            closed = true;
        }
        try (var dirs = Files.list(base)) {
            dirs.forEach(Cgroups::remove);
        } catch (IOException e) {
            // nothing to clean
        }
        remove(base);
    }
}
