package dev.drover.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * `drover install systemd` and `drover uninstall systemd`: a hardened Type=notify unit that runs
 * the daemon of one config file, with the same runtime directory the CLI uses (so `drover ps` in
 * the project talks to it), from a copy of Drover kept outside the build directory.
 */
final class InstallCommand implements Command {
    private final boolean install;

    InstallCommand(boolean install) {
        this.install = install;
    }

    @Override
    public String name() {
        return install ? "install" : "uninstall";
    }

    @Override
    public String summary() {
        return install
                ? "write a systemd unit for this config file (install systemd [--user] [--print])"
                : "remove the systemd unit `install systemd` wrote (uninstall systemd [--user])";
    }

    @Override
    public String usage() {
        if (!install) {
            return """
                    Usage: drover uninstall systemd [--file FILE] [--user] [--name NAME]

                    Removes the unit `drover install systemd` wrote for FILE (stop it first:
                    systemctl [--user] disable --now drover-NAME), and the copy of Drover it ran
                    and the manual page when no other drover unit there uses them.
                    """;
        }
        return """
                Usage: drover install systemd [--file FILE] [--user] [--print] [--name NAME]
                                              [--run-as USER] [--env-file FILE]

                Writes drover-NAME.service (NAME: the config directory's name, plus the file's
                when it is not drover.yaml) to /etc/systemd/system, or ~/.config/systemd/user
                with --user (as `systemctl --user` names it), or prints it with --print. It copies
                the running drover.jar to /usr/local/lib/drover/ (~/.local/share/drover/ with
                --user; $XDG_CONFIG_HOME and $XDG_DATA_HOME are honoured), so that a `mvn clean`
                does not break the service, and the manual page drover.1 to
                /usr/local/share/man/man1/ (~/.local/share/man/man1/ with --user).

                The unit runs `drover daemon` for FILE with the runtime directory the CLI uses
                (.drover/ beside it), so `drover ps`, `logs`, `restart`… in the project talk to
                it. Type=notify (READY=1 once every process is ready), WatchdogSec=30s (fed only
                while supervision is alive), Restart=on-failure, KillMode=mixed, and hardening
                that leaves the project directory writable (no PrivateTmp: a project under /tmp
                stays visible). --run-as USER (or --user=USER) sets User= in a system unit.
                --env-file FILE sets EnvironmentFile= (for ${DROVER_TOKEN} and friends); a .env
                beside the config file is read when present.
                Then: systemctl [--user] daemon-reload && systemctl [--user] enable --now drover-NAME
                """;
    }

    @Override
    public int run(List<String> args) throws CliException {
        List<String> normalized = new ArrayList<>();
        for (String arg : args) {
            if (arg.startsWith("--user=")) {
                normalized.add("--run-as");
                normalized.add(arg.substring("--user=".length()));
            } else {
                normalized.add(arg);
            }
        }
        Arguments arguments = install
                ? Arguments.parse(
                        name(), normalized, Set.of("--user", "--print"), Set.of("--name", "--run-as", "--env-file"))
                : Arguments.parse(name(), normalized, Set.of("--user"), Set.of("--name"));
        if (arguments.names.size() != 1 || !arguments.names.getFirst().equals("systemd")) {
            throw new CliException(
                    ExitCodes.USAGE, "only `drover " + name() + " systemd` exists; see `drover help " + name() + "`");
        }
        boolean user = arguments.flags.contains("--user");
        String runAs = arguments.values.get("--run-as");
        if (user && runAs != null) {
            throw new CliException(
                    ExitCodes.USAGE, "--run-as sets User= in a system unit; a --user unit runs as its user");
        }
        String unitName = "drover-" + arguments.values.getOrDefault("--name", defaultName(arguments.configFile));
        Path unitDir =
                user ? xdg("XDG_CONFIG_HOME", ".config").resolve("systemd/user") : Path.of("/etc/systemd/system");
        Path jarDir = user ? xdg("XDG_DATA_HOME", ".local/share").resolve("drover") : Path.of("/usr/local/lib/drover");
        Path unitFile = unitDir.resolve(unitName + ".service");
        Path stableJar = jarDir.resolve("drover.jar");
        Path manPage = (user ? xdg("XDG_DATA_HOME", ".local/share").resolve("man") : Path.of("/usr/local/share/man"))
                .resolve("man1/drover.1");
        if (!install) {
            return uninstall(unitFile, stableJar, manPage, user, unitName);
        }
        Path envFile = arguments.values.containsKey("--env-file")
                ? Path.of(arguments.values.get("--env-file")).toAbsolutePath().normalize()
                : null;
        if (envFile != null && !Files.isRegularFile(envFile)) {
            throw new CliException(ExitCodes.FAILED, "--env-file " + envFile + " does not exist");
        }
        String unit = unit(arguments.configFiles, stableJar, user, runAs, envFile);
        if (arguments.flags.contains("--print")) {
            System.out.print(unit);
            return ExitCodes.OK;
        }
        try {
            Files.createDirectories(jarDir);
            Path temp = jarDir.resolve("drover.jar.new");
            Files.copy(Background.jar(), temp, StandardCopyOption.REPLACE_EXISTING);
            Files.move(temp, stableJar, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            Files.createDirectories(unitDir);
            Files.writeString(unitFile, unit);
            Files.createDirectories(manPage.getParent());
            Files.writeString(manPage, manPageText());
        } catch (IOException e) {
            throw new CliException(ExitCodes.FAILED, "cannot install " + unitFile + ": " + e.getMessage());
        }
        String systemctl = user ? "systemctl --user" : "systemctl";
        System.out.println("wrote " + unitFile + " (running " + stableJar + ") and " + manPage + "\nnow: " + systemctl
                + " daemon-reload && " + systemctl + " enable --now " + unitName);
        return ExitCodes.OK;
    }

    /** The page the build rendered into the jar; rendered now when running from classes without it. */
    private static String manPageText() throws IOException {
        try (var in = InstallCommand.class.getResourceAsStream(ManPage.RESOURCE)) {
            return in != null
                    ? new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)
                    : ManPage.render(Main.commands(), VersionCommand.version());
        }
    }

    private static int uninstall(Path unitFile, Path stableJar, Path manPage, boolean user, String unitName)
            throws CliException {
        String systemctl = user ? "systemctl --user" : "systemctl";
        try {
            if (!Files.deleteIfExists(unitFile)) {
                throw new CliException(ExitCodes.FAILED, "no unit at " + unitFile + " (see --name and --user)");
            }
            boolean jarInUse = false;
            try (var units = Files.list(unitFile.getParent())) {
                for (Path other : units.filter(p -> p.getFileName().toString().startsWith("drover-"))
                        .toList()) {
                    jarInUse |= Files.readString(other).contains(stableJar.toString());
                }
            }
            if (!jarInUse) {
                Files.deleteIfExists(stableJar);
                Files.deleteIfExists(manPage);
            }
        } catch (IOException e) {
            throw new CliException(ExitCodes.FAILED, "cannot remove " + unitFile + ": " + e.getMessage());
        }
        System.out.println("removed " + unitFile + "\nnow: " + systemctl + " daemon-reload (after " + systemctl
                + " disable --now " + unitName + ")");
        return ExitCodes.OK;
    }

    /** The config directory's name, and the file's own when it is not drover.yaml. */
    static String defaultName(Path configFile) {
        String dir = configFile.getParent().getFileName() == null
                ? "root"
                : configFile.getParent().getFileName().toString();
        String stem = configFile.getFileName().toString().replaceFirst("\\.(yaml|yml)$", "");
        String name = stem.equals("drover") ? dir : dir + "-" + stem;
        return name.replaceAll("[^A-Za-z0-9_.-]", "-");
    }

    /** Where systemd's user manager looks: $XDG_CONFIG_HOME (or $XDG_DATA_HOME), else under $HOME. */
    private static Path xdg(String variable, String underHome) {
        String set = System.getenv(variable);
        if (set != null && !set.isEmpty()) {
            return Path.of(set);
        }
        String home = System.getenv("HOME");
        return Path.of(home != null && !home.isEmpty() ? home : System.getProperty("user.home"))
                .resolve(underHome);
    }

    static String unit(Path configFile, Path jar, boolean user, String runAs, Path envFile) {
        return unit(List.of(configFile), jar, user, runAs, envFile);
    }

    /** The unit for the config files merged in order (the override file included, by name). */
    static String unit(List<Path> configFiles, Path jar, boolean user, String runAs, Path envFile) {
        Path configFile = configFiles.getFirst();
        String java = ProcessHandle.current()
                .info()
                .command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        Path configDir = configFile.getParent();
        StringBuilder files = new StringBuilder();
        configFiles.forEach(file -> files.append(" --file ").append(file));
        String exec = java + " " + String.join(" ", Background.DAEMON_JVM_OPTIONS) + " -jar " + jar + " daemon" + files;
        StringBuilder environment = new StringBuilder();
        Path dotEnv = configDir.resolve(".env");
        if (envFile != null) {
            environment.append("EnvironmentFile=").append(envFile).append('\n');
        } else if (Files.isRegularFile(dotEnv)) {
            environment.append("EnvironmentFile=-").append(dotEnv).append('\n');
        }
        String account = runAs == null ? "" : "User=" + runAs + "\n";
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
                %s%sRestart=on-failure
                RestartSec=2s
                TimeoutStartSec=120s
                TimeoutStopSec=90s
                WatchdogSec=30s
                KillMode=mixed
                KillSignal=SIGTERM
                Delegate=yes
                NoNewPrivileges=yes
                ProtectSystem=full
                ProtectKernelTunables=yes
                ProtectKernelModules=yes
                ProtectControlGroups=no
                RestrictSUIDSGID=yes
                LockPersonality=yes

                [Install]
                WantedBy=%s
                """.formatted(
                configFile, exec, configDir, account, environment, user ? "default.target" : "multi-user.target");
    }
}
