package dev.drover.cli;

import dev.drover.config.ConfigError;
import dev.drover.config.ConfigException;
import dev.drover.config.ConfigLoader;
import dev.drover.config.DroverConfig;
import dev.drover.interop.ExportOptions;
import dev.drover.interop.ExportResult;
import dev.drover.interop.ExportTarget;
import dev.drover.interop.ExportedFile;
import dev.drover.interop.Exporting;
import dev.drover.interop.InteropException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Set;

/** `drover export TARGET`: the configuration as systemd units, a Compose file or a PM2 ecosystem. */
final class ExportCommand implements Command {
    @Override
    public String name() {
        return "export";
    }

    @Override
    public String summary() {
        return "write the configuration as " + ExportTarget.names().replace("|", ", ") + " files";
    }

    @Override
    public String usage() {
        return """
                Usage: drover export %s [-f FILE] [-o DIR] [--name NAME] [--image IMAGE]

                Loads FILE (default ./drover.yaml) as `drover validate` does and writes it for
                another platform into DIR (default ./drover-TARGET/), then prints what the target
                cannot express. systemd: NAME-PROCESS.service per process (NAME-PROCESS@.service for
                replicas) and NAME.target (NAME: the config directory's name). compose: compose.yaml,
                every service on IMAGE. kubernetes: kubernetes.yaml, one List of Deployments, Jobs,
                ConfigMaps, Services and an Ingress, every container on IMAGE. --image is required
                for compose and kubernetes. pm2: ecosystem.config.js.
                See docs/export.md.
                """.formatted(ExportTarget.names());
    }

    @Override
    public int run(List<String> args) throws CliException {
        Arguments arguments = Arguments.parse(name(), args, Set.of(), Set.of("-o", "--output", "--name", "--image"));
        if (arguments.names.size() != 1) {
            throw new CliException(
                    ExitCodes.USAGE, "name one target: " + ExportTarget.names() + "; see `drover help export`");
        }
        String targetName = arguments.names.getFirst();
        ExportTarget target = ExportTarget.fromName(targetName)
                .orElseThrow(() -> new CliException(
                        ExitCodes.USAGE, "unknown target " + targetName + "; export takes " + ExportTarget.names()));
        DroverConfig config;
        try {
            config = ConfigLoader.load(arguments.configFiles);
        } catch (ConfigException e) {
            StringBuilder text = new StringBuilder("the configuration is not valid, nothing exported:");
            for (ConfigError error : e.errors()) {
                text.append("\n  ").append(error);
            }
            throw new CliException(ExitCodes.FAILED, text.toString());
        }
        ExportResult result;
        try {
            result = Exporting.run(
                    target, config, new ExportOptions(arguments.values.get("--name"), arguments.values.get("--image")));
        } catch (InteropException e) {
            throw new CliException(ExitCodes.FAILED, e.getMessage());
        }
        Path dir = Path.of(arguments.values.getOrDefault(
                        "-o", arguments.values.getOrDefault("--output", "drover-" + target.cliName())))
                .toAbsolutePath()
                .normalize();
        try {
            Files.createDirectories(dir);
            for (ExportedFile file : result.files()) {
                Path path = dir.resolve(file.name());
                Path temp = dir.resolve(file.name() + ".new");
                Files.writeString(temp, file.content());
                Files.move(temp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                System.out.println("wrote " + path);
            }
        } catch (IOException e) {
            throw new CliException(ExitCodes.FAILED, "cannot write into " + dir + ": " + e.getMessage());
        }
        for (String lost : result.lost()) {
            System.out.println("  not carried over: " + lost);
        }
        return ExitCodes.OK;
    }
}
