package dev.drover.cli;

import dev.drover.config.ConfigError;
import dev.drover.config.ConfigException;
import dev.drover.config.ConfigLoader;
import java.util.List;
import java.util.Set;

/** `drover validate`: checks the configuration and prints every error, or `ok`. */
final class ValidateCommand implements Command {
    @Override
    public String name() {
        return "validate";
    }

    @Override
    public String summary() {
        return "check the configuration file and print every error";
    }

    @Override
    public String usage() {
        return """
                Usage: drover validate [-f FILE]

                Reads the configuration (default ./drover.yaml, or $DROVER_CONFIG) and prints `ok`,
                or every error as FILE:LINE:COLUMN: KEY: MESSAGE. Exit status 0 when valid, 1 when not.
                """;
    }

    @Override
    public int run(List<String> args) throws CliException {
        Arguments arguments = Arguments.parse(name(), args, Set.of());
        if (!arguments.names.isEmpty()) {
            throw new CliException(ExitCodes.USAGE, "validate takes no names; see `drover help validate`");
        }
        try {
            ConfigLoader.load(arguments.configFiles);
            System.out.println("ok");
            return ExitCodes.OK;
        } catch (ConfigException e) {
            for (ConfigError error : e.errors()) {
                System.out.println(error);
            }
            return ExitCodes.FAILED;
        }
    }
}
