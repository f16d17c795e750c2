package dev.drover.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The options every command shares ({@code --file FILE} or {@code -f FILE}, {@code --runtime-dir
 * DIR}) and its own flags, valued options and names, parsed without a library so the CLI starts
 * fast. A command that lists {@code -f} among its flags (logs: follow) takes the file as {@code
 * --file} only.
 *
 * <p>Several {@code -f} merge in order, as Compose's override files do; without any, the default
 * file ({@code $DROVER_CONFIG}, else {@code ./drover.yaml}) is merged with {@code
 * NAME.override.yaml} beside it when that exists.
 */
final class Arguments {
    /** Suffix of the override file picked up beside the default config file: drover.yaml → drover.override.yaml. */
    static final String OVERRIDE_SUFFIX = ".override";

    /** The config file: the first one named; its directory anchors relative paths and the runtime dir. */
    final Path configFile;
    /** Every config file to merge, in order: {@code configFile} first. */
    final List<Path> configFiles;

    final String runtimeDir;
    final Set<String> flags;
    final Map<String, String> values;
    final List<String> names;

    private Arguments(
            List<Path> configFiles,
            String runtimeDir,
            Set<String> flags,
            Map<String, String> values,
            List<String> names) {
        this.configFile = configFiles.getFirst();
        this.configFiles = List.copyOf(configFiles);
        this.runtimeDir = runtimeDir;
        this.flags = flags;
        this.values = values;
        this.names = names;
    }

    /** Whether {@code arg} is one of this command's options (or the options every command takes). */
    private static boolean isOption(String arg, Set<String> allowedFlags, Set<String> valued) {
        String option = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
        return option.equals("-f")
                || option.equals("--file")
                || option.equals("--runtime-dir")
                || allowedFlags.contains(option)
                || valued.contains(option);
    }

    static Arguments parse(String command, List<String> args, Set<String> allowedFlags) throws CliException {
        return parse(command, args, allowedFlags, Set.of());
    }

    /**
     * Parses {@code args}, accepting the given boolean flags and the given options that take a
     * value ({@code -n 10}, {@code -n=10} or {@code --timeout=30s}).
     */
    static Arguments parse(String command, List<String> args, Set<String> allowedFlags, Set<String> valued)
            throws CliException {
        List<Path> files = new ArrayList<>();
        String runtimeDir = null;
        Set<String> flags = new LinkedHashSet<>();
        Map<String, String> values = new LinkedHashMap<>();
        List<String> names = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            String option = arg.contains("=") && arg.startsWith("-") ? arg.substring(0, arg.indexOf('=')) : arg;
            String inline = arg.contains("=") && arg.startsWith("-") ? arg.substring(arg.indexOf('=') + 1) : null;
            // After `logs`, -f follows (as in tail, docker, kubectl); everywhere else it names the config file.
            boolean fileOption = option.equals("--file") || (option.equals("-f") && !allowedFlags.contains("-f"));
            boolean takesValue = fileOption || option.equals("--runtime-dir") || valued.contains(option);
            if (takesValue) {
                String value = inline;
                if (value == null) {
                    if (i + 1 >= args.size()) {
                        throw new CliException(
                                ExitCodes.USAGE, option + " needs a value; see `drover help " + command + "`");
                    }
                    String next = args.get(i + 1);
                    if (isOption(next, allowedFlags, valued)) {
                        // `up -d --timeout -f x.yaml`: the value was left out, not meant to be "-f".
                        throw new CliException(
                                ExitCodes.USAGE,
                                option + " needs a value, not the option " + next + " (write " + option + "=" + next
                                        + " if that is the value); see `drover help " + command + "`");
                    }
                    value = args.get(++i);
                }
                if (fileOption) {
                    files.add(Path.of(value).toAbsolutePath().normalize());
                } else if (option.equals("--runtime-dir")) {
                    runtimeDir = value;
                } else {
                    values.put(option, value);
                }
            } else if (arg.startsWith("-") && arg.length() > 1) {
                if (!allowedFlags.contains(arg)) {
                    throw new CliException(
                            ExitCodes.USAGE,
                            "unknown option " + arg + " for `drover " + command + "`; see `drover help " + command
                                    + "`");
                }
                flags.add(arg);
            } else {
                names.add(arg);
            }
        }
        if (files.isEmpty()) {
            String env = System.getenv("DROVER_CONFIG");
            Path file = Path.of(env != null && !env.isEmpty() ? env : "drover.yaml")
                    .toAbsolutePath()
                    .normalize();
            files.add(file);
            overrideBeside(file).filter(java.nio.file.Files::isRegularFile).ifPresent(files::add);
        }
        return new Arguments(files.stream().distinct().toList(), runtimeDir, flags, values, names);
    }

    /** NAME.override.yaml beside NAME.yaml (or .yml); empty for a file without either extension. */
    static java.util.Optional<Path> overrideBeside(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        if (dot <= 0 || !(name.endsWith(".yaml") || name.endsWith(".yml"))) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(
                file.resolveSibling(name.substring(0, dot) + OVERRIDE_SUFFIX + name.substring(dot)));
    }

    /** A valued option as a non-negative integer. */
    int intValue(String option, int fallback) throws CliException {
        String value = values.get(option);
        if (value == null) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(value);
            if (n < 0) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new CliException(ExitCodes.USAGE, option + " needs a number of 0 or more, got " + value);
        }
    }
}
