package dev.drover.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/** `drover install systemd [--user] [--print]`: a hardened Type=notify unit for the daemon. */
final class InstallCommand implements Command {
    @Override
    public String name() {
        return "install";
    }

    @Override
    public String summary() {
        return "write a systemd unit for this project (install systemd [--user] [--print])";
    }

    @Override
    public String usage() {
        return """
                Usage: drover install systemd [-f FILE] [--user] [--print] [--name NAME]

                Writes drover-NAME.service (NAME defaults to the config directory's name) to
                /etc/systemd/system, or ~/.config/systemd/user with --user, or prints it with
                --print. The unit runs `drover daemon` with Type=notify (READY=1 once every
                process is ready), WatchdogSec=30s (fed only while supervision is alive),
                Restart=on-failure, KillMode=mixed and filesystem and privilege hardening.
                Then: systemctl [--user] daemon-reload && systemctl [--user] enable --now drover-NAME
                """;
    }

    @Override
    public int run(List<String> args) throws CliException {
        Arguments arguments = Arguments.parse(name(), args, Set.of("--user", "--print"), Set.of("--name"));
        if (arguments.names.size() != 1 || !arguments.names.getFirst().equals("systemd")) {
            throw new CliException(ExitCodes.USAGE, "only `drover install systemd` exists; see `drover help install`");
        }
        boolean user = arguments.flags.contains("--user");
        Path configDir = arguments.configFile.getParent();
        String unitName = "drover-" + arguments.values.getOrDefault("--name", configDir.getFileName().toString().replaceAll("[^A-Za-z0-9_.-]", "-"));
        String unit = unit(arguments.configFile, user);
        if (arguments.flags.contains("--print")) {
            System.out.print(unit);
            return ExitCodes.OK;
        }
        Path dir = user ? Path.of(System.getProperty("user.home"), ".config", "systemd", "user") : Path.of("/etc/systemd/system");
        Path file = dir.resolve(unitName + ".service");
        try {
            Files.createDirectories(dir);
            Files.writeString(file, unit);
        } catch (IOException e) {
            throw new CliException(ExitCodes.FAILED, "cannot write " + file + ": " + e.getMessage());
        }
        String systemctl = user ? "systemctl --user" : "systemctl";
        System.out.println("wrote " + file + "\nnow: " + systemctl + " daemon-reload && " + systemctl + " enable --now " + unitName);
        return ExitCodes.OK;
    }

    static String unit(Path configFile, boolean user) {
        String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        Path configDir = configFile.getParent();
        String exec = java + " " + String.join(" ", Background.DAEMON_JVM_OPTIONS) + " -jar " + Background.jar()
                + " daemon -f " + configFile + " --runtime-dir %t/drover-%N";
        return """
                [Unit]
                Description=Drover process supervisor for %s
                After=network.target

                [Service]
                Type=notify
                NotifyAccess=main
                ExecStart=%s
                ExecReload=/bin/kill -HUP $MAINPID
                WorkingDirectory=%s
                Restart=on-failure
                RestartSec=2s
                TimeoutStartSec=120s
                TimeoutStopSec=90s
                WatchdogSec=30s
                KillMode=mixed
                KillSignal=SIGTERM
                Delegate=yes
                NoNewPrivileges=yes
                PrivateTmp=yes
                ProtectSystem=full
                ProtectKernelTunables=yes
                ProtectKernelModules=yes
                ProtectControlGroups=no
                RestrictSUIDSGID=yes
                LockPersonality=yes

                [Install]
                WantedBy=%s
                """.formatted(configFile, exec, configDir, user ? "default.target" : "multi-user.target");
    }
}
