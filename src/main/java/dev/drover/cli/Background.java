package dev.drover.cli;

import dev.drover.client.RemoteControl;
import dev.drover.control.ControlException;
import dev.drover.control.HealthReport;
import dev.drover.control.ProcessInfo;
import dev.drover.daemon.Daemon;
import dev.drover.daemon.DaemonLock;
import dev.drover.daemon.RuntimeDir;
import dev.drover.launch.Detached;
import dev.drover.launch.ProcessRef;
import dev.drover.launch.SpawnException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** `drover up -d`: starts the daemon detached and waits until what it started is ready. */
final class Background {
    /** JVM settings for the long-running daemon: small heap and stacks, serial GC, C1 only. */
    static final List<String> DAEMON_JVM_OPTIONS = List.of(
            "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1",
            "-Xss256k",
            "-Xms4m",
            "-Xmx64m",
            "-XX:MaxMetaspaceSize=64m",
            "-XX:ReservedCodeCacheSize=16m",
            "-XX:CICompilerCount=1",
            "-XX:-UsePerfData",
            "-XX:+UseStringDeduplication",
            // The monitor deflation thread checks every 250 ms by default: over a quarter of the
            // daemon's idle CPU. Idle monitors are deflated every 5 s instead (or when they pile up).
            "-XX:+UnlockDiagnosticVMOptions",
            "-XX:AsyncDeflationInterval=5000");

    private Background() {}

    static int start(Arguments arguments, Duration timeout) throws CliException {
        RuntimeDir runtime = Daemons.runtime(arguments);
        try {
            runtime.create();
            if (DaemonLock.isHeld(runtime)) {
                throw new CliException(ExitCodes.FAILED, Daemon.alreadyRunning(arguments.configFile, runtime));
            }
        } catch (IOException e) {
            throw new CliException(ExitCodes.FAILED, e.getMessage());
        }
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current()
                .info()
                .command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(DAEMON_JVM_OPTIONS);
        command.addAll(aotCache());
        Path runnable;
        try {
            runnable = privateCopy(jar(), runtime.dir());
        } catch (IOException e) {
            throw new CliException(
                    ExitCodes.FAILED, "cannot copy " + jar() + " into " + runtime.dir() + ": " + e.getMessage());
        }
        command.addAll(List.of("-jar", runnable.toString(), "daemon"));
        // Every file by name: the daemon (and its reloads) merge the same ones, override file included.
        for (Path file : arguments.configFiles) {
            command.addAll(List.of("-f", file.toString()));
        }
        command.addAll(List.of("--runtime-dir", runtime.dir().toString()));
        if (arguments.flags.contains(UpCommand.NO_PRE_START)) {
            command.add(UpCommand.NO_PRE_START);
        }
        command.addAll(arguments.names);
        int pid;
        long logBefore;
        try {
            logBefore = logSize(runtime.log());
            pid = Detached.spawn(command, System.getenv(), arguments.configFile.getParent(), runtime.log());
        } catch (SpawnException e) {
            throw new CliException(ExitCodes.FAILED, "cannot start the daemon: " + e.getMessage());
        }
        ProcessRef daemon = ProcessRef.of(pid);
        RemoteControl control = new RemoteControl(runtime.socket());
        long deadline = System.nanoTime() + timeout.toNanos();
        List<ProcessInfo> processes = null;
        while (System.nanoTime() < deadline) {
            // The daemon is this process's child until it exits: a zombie then, which nobody reaps
            // here, so "running" (a zombie has exited), not "alive".
            if (daemon == null || !daemon.isRunning()) {
                throw new CliException(
                        ExitCodes.FAILED,
                        Daemons.lockHeld(runtime)
                                // Another `up -d` started one meanwhile: ours found the lock taken.
                                ? Daemon.alreadyRunning(arguments.configFile, runtime)
                                : "the daemon exited at start; its log " + runtime.log() + " says:\n"
                                        + tail(runtime.log(), logBefore));
            }
            try {
                HealthReport health = control.health();
                processes = health.details();
                List<ProcessInfo> fatal = processes.stream()
                        .filter(p -> p.state().equals("fatal"))
                        .toList();
                if (!fatal.isEmpty()) {
                    throw new CliException(
                            ExitCodes.FAILED, "daemon started (pid " + pid + "), but:\n" + notReady(fatal));
                }
                if (processes.stream().anyMatch(ProcessInfo::blocked)) {
                    throw new CliException(
                            ExitCodes.FAILED,
                            "daemon started (pid " + pid + "), but:\n" + notReady(blocked(processes)));
                }
                if (!processes.isEmpty() && health.healthy()) {
                    long ready = processes.stream().filter(ProcessInfo::ready).count();
                    long completed = processes.stream()
                            .filter(p -> p.state().equals("exited")
                                    && p.lastEnd() != null
                                    && p.lastEnd().kind().equals("success"))
                            .count();
                    System.out.println("drover daemon started (pid " + pid + ") for "
                            + arguments.configFile.getFileName() + "; " + count(ready, "process")
                            + " ready" + (completed > 0 ? ", " + count(completed, "one-shot") + " completed" : "")
                            + ". `drover ps` shows them, `drover down` stops them.");
                    return ExitCodes.OK;
                }
            } catch (ControlException e) {
                // not listening yet
            }
            sleep();
        }
        String status = processes == null
                ? "the daemon did not answer on " + runtime.socket()
                : notReady(processes.stream()
                        .filter(p -> p.waitingFor() != null
                                || (!p.ready()
                                        && !p.state().equals("exited")
                                        && !p.state().equals("stopped")))
                        .toList());
        throw new CliException(
                ExitCodes.FAILED,
                "not ready after " + timeout.toSeconds() + "s (the daemon, pid " + pid + ", keeps running):\n"
                        + status);
    }

    /** "1 process", "4 processes". */
    static String count(long n, String noun) {
        return n + " " + noun + (n == 1 ? "" : noun.endsWith("s") ? "es" : "s");
    }

    /**
     * What a process that waits in vain waits for: the runs that ended without meeting a condition
     * (with their last lines), then the processes left waiting for them.
     */
    private static List<ProcessInfo> blocked(List<ProcessInfo> processes) {
        List<ProcessInfo> shown = new ArrayList<>();
        for (ProcessInfo p : processes) {
            boolean failed = p.state().equals("exited")
                    && p.lastEnd() != null
                    && !p.lastEnd().kind().equals("success");
            if (failed) {
                shown.add(p);
            }
        }
        processes.stream().filter(ProcessInfo::blocked).forEach(shown::add);
        return shown;
    }

    private static String notReady(List<ProcessInfo> processes) {
        StringBuilder text = new StringBuilder();
        long now = System.currentTimeMillis();
        for (ProcessInfo p : processes) {
            String why = ProcessNotes.why(p, now);
            text.append("  ")
                    .append(p.id())
                    .append(": ")
                    .append(why.startsWith(p.state()) ? "" : p.state() + ", ")
                    .append(why.isEmpty() ? p.health() : why)
                    .append('\n');
            ProcessNotes.lastLines(p).forEach(line -> text.append(line).append('\n'));
        }
        return text.toString().stripTrailing();
    }

    /** The daemon's start-up cache, made by `./drover` after a build, when it belongs to this jar. */
    static List<String> aotCache() {
        Path jar = jar();
        Path cache = jar.resolveSibling("drover-daemon.aot");
        try {
            if (System.getenv("DROVER_NO_AOT") == null
                    && Files.isRegularFile(cache)
                    && !Files.getLastModifiedTime(jar)
                            .toInstant()
                            .isAfter(Files.getLastModifiedTime(cache).toInstant())) {
                return List.of("-XX:AOTCache=" + cache, "-Xlog:aot=off", "-Xlog:cds=off");
            }
        } catch (IOException e) {
            // no cache: start without it
        }
        return List.of();
    }

    /**
     * The daemon runs from a copy of the jar in its runtime directory: a build replaces
     * target/drover.jar (the build unlinks it first; a build by other means may rewrite it in
     * place), and a JVM that loads classes from a jar rewritten under it fails (NoClassDefFoundError
     * at its next new class: a daemon could not even stop). The copy is made
     * when the jar changed, to a temp file renamed over the old copy, which a running daemon keeps.
     */
    static Path privateCopy(Path jar, Path runtimeDir) throws IOException {
        Path copy = runtimeDir.resolve("drover.jar");
        if (Files.exists(copy)
                && Files.size(copy) == Files.size(jar)
                && Files.getLastModifiedTime(copy).equals(Files.getLastModifiedTime(jar))) {
            return copy;
        }
        Path temp = runtimeDir.resolve("drover.jar.new");
        Files.copy(
                jar,
                temp,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
        Files.move(
                temp,
                copy,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        return copy;
    }

    static Path jar() {
        try {
            return Path.of(Main.class
                    .getProtectionDomain()
                    .getCodeSource()
                    .getLocation()
                    .toURI());
        } catch (Exception e) {
            throw new IllegalStateException("cannot find drover's jar", e);
        }
    }

    /** The last lines this daemon wrote to the log, which began at {@code from} bytes (earlier runs' lines are not its). */
    private static String tail(Path log, long from) {
        try {
            byte[] all = Files.readAllBytes(log);
            int start = (int) Math.min(Math.max(0, from), all.length);
            List<String> lines = new String(all, start, all.length - start, java.nio.charset.StandardCharsets.UTF_8)
                    .lines()
                    .toList();
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    private static long logSize(Path log) {
        try {
            return Files.exists(log) ? Files.size(log) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(25);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
