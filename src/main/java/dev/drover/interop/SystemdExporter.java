package dev.drover.interop;

import dev.drover.config.Command;
import dev.drover.config.Dependency;
import dev.drover.config.Dependency.Condition;
import dev.drover.config.DroverConfig;
import dev.drover.config.Durations;
import dev.drover.config.PortSpec;
import dev.drover.config.ProbeCheck;
import dev.drover.config.ProcessSpec;
import dev.drover.config.RestartPolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * One service unit per process ({@code NAME@.service}, a template, for replicas) and a {@code
 * .target} that wants them all: {@code systemctl start PROJECT.target} starts the stack.
 */
final class SystemdExporter {
    private static final List<String> INSTANCE_VARIABLES = List.of("PORT", "DROVER_PROCESS", "DROVER_REPLICA");

    private SystemdExporter() {}

    static ExportResult export(DroverConfig config, String project) {
        List<ExportedFile> files = new ArrayList<>();
        List<String> lost = new ArrayList<>();
        List<String> wanted = new ArrayList<>();
        for (ProcessSpec process : config.processes().values()) {
            files.add(new ExportedFile(unitFileName(project, process), service(config, process, project, lost)));
            if (process.enabled()) {
                wanted.addAll(instances(project, process));
            } else {
                lost.add(process.name() + ": enabled: false — its unit is written but the target does not want it;"
                        + " start it with systemctl start "
                        + instances(project, process).getFirst());
            }
        }
        files.add(new ExportedFile(
                project + ".target", target(project, wanted, config.processes().size())));
        if (!config.routes().isEmpty()) {
            lost.add("routes and proxy: systemd has no reverse proxy; put one (nginx, Caddy, HAProxy) in front");
        }
        return new ExportResult(files, lost);
    }

    private static String target(String project, List<String> wanted, int count) {
        UnitFile unit = new UnitFile()
                .set("Unit", "Description", project + ": " + count + " processes exported from drover.yaml")
                .set("Unit", "Wants", String.join(" ", wanted))
                .set("Install", "WantedBy", "multi-user.target");
        return unit.text("Exported by `drover export systemd`: starting this target starts every process.");
    }

    private static String unitFileName(String project, ProcessSpec process) {
        return project + "-" + process.name() + (process.replicas() > 1 ? "@" : "") + ".service";
    }

    /** The unit names of a process's instances: {@code shop-web.service}, or {@code shop-web@0.service} …. */
    static List<String> instances(String project, ProcessSpec process) {
        if (process.replicas() == 1) {
            return List.of(project + "-" + process.name() + ".service");
        }
        return IntStream.range(0, process.replicas())
                .mapToObj(i -> project + "-" + process.name() + "@" + i + ".service")
                .toList();
    }

    private static String service(DroverConfig config, ProcessSpec p, String project, List<String> lost) {
        UnitFile unit = new UnitFile();
        String name = p.name();
        unit.set("Unit", "Description", name + (p.replicas() > 1 ? " %i" : "") + " of " + project);
        unit.set("Unit", "PartOf", project + ".target");
        List<String> after = new ArrayList<>();
        for (Dependency dependency : p.dependsOn()) {
            ProcessSpec on = config.processes().get(dependency.process());
            after.addAll(instances(project, on));
            if (dependency.condition() == Condition.HEALTHY
                    && on.readiness() != null
                    && !(on.readiness().check() instanceof ProbeCheck.Exec)) {
                lost.add(name + ": depends_on " + on.name() + " healthy — only its exec readiness probes can"
                        + " gate a systemd start; this one waits for " + on.name() + " to start");
            }
        }
        if (!after.isEmpty()) {
            unit.set("Unit", "Requires", String.join(" ", after));
            unit.set("Unit", "After", String.join(" ", after));
        }
        if (p.maxRestarts() > 0) {
            unit.set("Unit", "StartLimitIntervalSec", seconds(p.restartWindow()));
            unit.set("Unit", "StartLimitBurst", Integer.toString(p.maxRestarts() + 1));
        } else {
            unit.set("Unit", "StartLimitIntervalSec", "0");
        }

        boolean completedByOthers = config.processes().values().stream()
                .flatMap(other -> other.dependsOn().stream())
                .anyMatch(d -> d.process().equals(name) && d.condition() == Condition.COMPLETED);
        if (completedByOthers) {
            unit.set("Service", "Type", "oneshot");
            unit.set("Service", "RemainAfterExit", "yes");
        } else if (p.sdNotify() != null) {
            // Drover accepts sd_notify from any process of the service (a shell's systemd-notify): so must systemd.
            unit.set("Service", "Type", "notify");
            unit.set("Service", "NotifyAccess", "all");
            if (p.sdNotify().watchdog() != null) {
                unit.set("Service", "WatchdogSec", seconds(p.sdNotify().watchdog()));
            }
        } else {
            unit.set("Service", "Type", "exec");
        }
        unit.set("Service", "ExecStart", execLine(command(p), p.cwd()));
        if (p.readiness() != null && p.readiness().check() instanceof ProbeCheck.Exec exec && !completedByOthers) {
            // `started` in systemd then means ready, as `healthy` does in drover.
            String probe = String.join(
                    " ", argv(exec.command()).stream().map(UnitFile::shellQuote).toList());
            unit.set(
                    "Service",
                    "ExecStartPost",
                    execLine(
                            List.of(
                                    "/bin/sh",
                                    "-c",
                                    "until " + probe + " >/dev/null 2>&1; do sleep "
                                            + seconds(p.readiness().interval()) + "; done"),
                            p.cwd()));
        } else if (p.readiness() != null) {
            lost.add(name + ": readiness (" + describe(p.readiness().check()) + ") — systemd has no readiness"
                    + " probe; dependents wait for the start only");
        }
        unit.set("Service", "WorkingDirectory", p.cwd().toString());
        for (Map.Entry<String, String> variable : p.env().entrySet()) {
            unit.set("Service", "Environment", UnitFile.environment(variable.getKey(), variable.getValue()));
        }
        unit.set("Service", "Environment", UnitFile.environment("DROVER_PROCESS", name));
        unit.set(
                "Service",
                "Environment",
                UnitFile.environment("DROVER_REPLICA", p.replicas() > 1 ? "%i" : "0")
                        .replace("%%i", "%i"));
        switch (p.port()) {
            case PortSpec.Fixed fixed ->
                unit.set("Service", "Environment", UnitFile.environment("PORT", Integer.toString(fixed.port())));
            case PortSpec.Auto auto ->
                lost.add(name + ": port: auto — systemd picks no ports; set a number" + " (the unit has no $PORT)");
            case null -> {}
        }
        unit.set(
                "Service",
                "Restart",
                switch (p.restart()) {
                    case ALWAYS -> "always";
                    case ON_FAILURE -> "on-failure";
                    case NO -> "no";
                });
        if (p.restart() != RestartPolicy.NO) {
            unit.set("Service", "RestartSec", seconds(p.backoff().initial()));
            if (p.backoff().multiplier() > 1
                    && p.backoff().max().compareTo(p.backoff().initial()) > 0) {
                double ratio = (double) p.backoff().max().toMillis()
                        / Math.max(1, p.backoff().initial().toMillis());
                long steps = Math.max(1, (long)
                        Math.ceil(Math.log(ratio) / Math.log(p.backoff().multiplier())));
                unit.set("Service", "RestartSteps", Long.toString(steps));
                unit.set("Service", "RestartMaxDelaySec", seconds(p.backoff().max()));
            }
        }
        unit.set("Service", "KillMode", "mixed");
        unit.set("Service", "KillSignal", "SIG" + p.stopSignal().name());
        unit.set("Service", "TimeoutStopSec", seconds(p.stopTimeout()));
        if (p.limits().memoryBytes() != null) {
            unit.set("Service", "MemoryMax", Long.toString(p.limits().memoryBytes()));
        }
        if (p.limits().cpuPercent() != null) {
            unit.set("Service", "CPUQuota", Math.round(p.limits().cpuPercent()) + "%");
            lost.add(name + ": limits.cpu — CPUQuota= throttles the process; drover restarted it instead");
        }
        if (p.limits().memoryBytes() != null) {
            lost.add(name + ": limits.memory — MemoryMax= makes the kernel kill it (then Restart= applies);"
                    + " drover restarted it gracefully");
        }
        if (p.liveness() != null) {
            lost.add(name + ": liveness (" + describe(p.liveness().check()) + ") — systemd has no liveness probe"
                    + " (WatchdogSec= needs the program to send WATCHDOG=1)");
        }
        lost.add(name + ": log — output goes to the journal (journalctl -u "
                + instances(project, p).getFirst() + "); journald rotates it");
        unit.set("Install", "WantedBy", project + ".target");
        return unit.text("Exported by `drover export systemd` from process `" + name + "`.");
    }

    private static List<String> command(ProcessSpec p) {
        return argv(p.command());
    }

    private static List<String> argv(Command command) {
        return switch (command) {
            case Command.Exec exec -> exec.argv();
            case Command.Shell shell -> List.of("/bin/sh", "-c", shell.script());
        };
    }

    /** ExecStart= wants a path: a bare program name is looked up on this machine's PATH, as drover would. */
    private static String execLine(List<String> argv, Path cwd) {
        List<String> words = new ArrayList<>(argv);
        String program = words.getFirst();
        if (!program.contains("/")) {
            words.set(0, onPath(program).orElse(program));
        } else if (!program.startsWith("/")) {
            words.set(0, cwd.resolve(program).normalize().toString());
        }
        return String.join(
                " ",
                words.stream()
                        .map(w -> UnitFile.execWord(w, INSTANCE_VARIABLES))
                        .toList());
    }

    private static java.util.Optional<String> onPath(String program) {
        String path = System.getenv("PATH");
        for (String dir : (path == null ? "/usr/local/bin:/usr/bin:/bin" : path).split(":")) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, program);
            if (Files.isExecutable(candidate)) {
                return java.util.Optional.of(candidate.toAbsolutePath().toString());
            }
        }
        return java.util.Optional.empty();
    }

    static String describe(ProbeCheck check) {
        return switch (check) {
            case ProbeCheck.Exec exec -> "exec";
            case ProbeCheck.Http http -> "http " + http.url();
            case ProbeCheck.Tcp tcp -> "tcp " + tcp.address();
        };
    }

    private static String seconds(Duration duration) {
        return Durations.format(duration);
    }
}
