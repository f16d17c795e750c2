package dev.drover.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The options every command shares ({@code -f FILE}) and its own flags and names, parsed without a
 * library so the CLI starts fast.
 */
final class Arguments {
    final Path configFile;
    final Set<String> flags;
    final List<String> names;

    private Arguments(Path configFile, Set<String> flags, List<String> names) {
        this.configFile = configFile;
        this.flags = flags;
        this.names = names;
    }

    /** Parses {@code args}, accepting only the given boolean flags. */
    static Arguments parse(String command, List<String> args, Set<String> allowedFlags) throws CliException {
        Path file = null;
        Set<String> flags = new java.util.LinkedHashSet<>();
        List<String> names = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (arg.equals("-f") || arg.equals("--file")) {
                if (i + 1 >= args.size()) {
                    throw new CliException(ExitCodes.USAGE, arg + " needs a file; see `drover help " + command + "`");
                }
                file = Path.of(args.get(++i));
            } else if (arg.startsWith("--file=")) {
                file = Path.of(arg.substring("--file=".length()));
            } else if (arg.startsWith("-")) {
                if (!allowedFlags.contains(arg)) {
                    throw new CliException(ExitCodes.USAGE, "unknown option " + arg + " for `drover " + command + "`; see `drover help " + command + "`");
                }
                flags.add(arg);
            } else {
                names.add(arg);
            }
        }
        if (file == null) {
            String env = System.getenv("DROVER_CONFIG");
            file = Path.of(env != null && !env.isEmpty() ? env : "drover.yaml");
        }
        return new Arguments(file.toAbsolutePath().normalize(), flags, names);
    }
}
