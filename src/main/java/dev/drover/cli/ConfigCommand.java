package dev.drover.cli;

import dev.drover.config.ConfigLoader;
import dev.drover.config.ConfigTree;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * `drover config`: the configuration as drover runs it — the files merged, defaults applied,
 * variables expanded, secrets masked — read from the files alone, without a daemon.
 */
final class ConfigCommand implements Command {
    static final String JSON = "--json";
    static final String SHOW_SECRETS = "--show-secrets";

    @Override
    public String name() {
        return "config";
    }

    @Override
    public String summary() {
        return "print the resolved configuration (files merged, defaults applied, secrets masked)";
    }

    @Override
    public String usage() {
        return """
                Usage: drover config [-f FILE]… [--json] [--show-secrets]

                Prints the configuration as drover runs it: every -f file merged in order (without
                -f, drover.yaml and drover.override.yaml beside it when present), every default
                written out, every ${VAR} expanded, every path absolute, the env files' variables
                written into env. Values are masked as ****** when an env_file defines the
                variable or its name contains PASSWORD, PASSWD, SECRET, TOKEN, KEY or CREDENTIAL,
                and so is api.token, also where such a value (4 characters or more) was
                interpolated into another; --show-secrets prints them. The output is YAML, or JSON with
                --json; either loads again as the same configuration (`drover config -f OUT`).
                Reads the files only: no daemon is needed.

                Exit status: 0 printed, 1 missing or invalid file, 2 usage error.
                """;
    }

    @Override
    public int run(List<String> args) throws CliException {
        Arguments arguments = Arguments.parse(name(), args, Set.of(JSON, SHOW_SECRETS));
        if (!arguments.names.isEmpty()) {
            throw new CliException(ExitCodes.USAGE, "config takes no names; see `drover help config`");
        }
        ConfigLoader.Resolved resolved = Configs.resolve(arguments.configFiles);
        Map<String, Object> tree = ConfigTree.of(resolved, arguments.flags.contains(SHOW_SECRETS));
        System.out.print(arguments.flags.contains(JSON) ? ConfigTree.json(tree) : ConfigTree.yaml(tree));
        return ExitCodes.OK;
    }
}
