package dev.drover.cli;

import dev.drover.config.ConfigError;
import dev.drover.config.ConfigException;
import dev.drover.config.ConfigLoader;
import dev.drover.config.DroverConfig;
import java.nio.file.Path;
import java.util.List;

/** Loads the configuration for the commands that run processes, turning errors into exit status 1. */
final class Configs {
    private Configs() {}

    /** Loads the files merged in order (the config file, then its override files). */
    static DroverConfig load(List<Path> files) throws CliException {
        return resolve(files).config();
    }

    /** The same, with what `drover config` needs to mask secrets. */
    static ConfigLoader.Resolved resolve(List<Path> files) throws CliException {
        Path file = files.getFirst();
        if (!java.nio.file.Files.exists(file)) {
            throw new CliException(
                    ExitCodes.FAILED,
                    "no config file at " + file + "; name one with --file FILE (or -f FILE),"
                            + " set $DROVER_CONFIG, or create drover.yaml here (see examples/stack.yaml)");
        }
        for (Path override : files.subList(1, files.size())) {
            if (!java.nio.file.Files.exists(override)) {
                throw new CliException(ExitCodes.FAILED, "no config file at " + override + " (named with -f)");
            }
        }
        try {
            return ConfigLoader.resolve(files, System.getenv());
        } catch (ConfigException e) {
            StringBuilder message = new StringBuilder("invalid configuration:");
            for (ConfigError error : e.errors()) {
                message.append("\n  ").append(error);
            }
            throw new CliException(ExitCodes.FAILED, message.toString());
        }
    }

    /** Throws when a name is neither a process nor one of its replicas ({@code api.1}). */
    static void checkNames(DroverConfig config, Iterable<String> names) throws CliException {
        for (String name : names) {
            int dot = name.lastIndexOf('.');
            var process = config.processes().get(dot < 0 ? name : name.substring(0, dot));
            boolean known = dot < 0
                    ? process != null
                    : process != null
                            && process.replicas() > 1
                            && name.substring(dot + 1).matches("\\d+")
                            && Integer.parseInt(name.substring(dot + 1)) < process.replicas();
            if (!known) {
                throw new CliException(
                        ExitCodes.FAILED,
                        "unknown process " + name + " (known: "
                                + String.join(", ", config.processes().keySet()) + ")");
            }
        }
    }
}
