package dev.drover.cli;

import dev.drover.config.KeySuggestions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Entry point: picks the command and turns its failures into exit statuses. */
public final class Main {
    private Main() {}

    /** What every command takes; in {@code drover help} and the manual page. */
    static final String SHARED_OPTIONS = """
            Every command takes --file FILE (default $DROVER_CONFIG, then ./drover.yaml), also as -f FILE
            before the command or after it (but after `logs`, -f follows, as in tail, docker and kubectl),
            and --runtime-dir DIR (default .drover/ beside drover.yaml, .drover/NAME/ beside NAME.yaml,
            or $DROVER_RUNTIME_DIR). -v or --version prints the version.
            """;

    static final String EXIT_STATUS = "Exit status: 0 ok, 1 failed, 2 usage error, 3 no daemon running.\n";

    static Map<String, Command> commands() {
        Map<String, Command> commands = new LinkedHashMap<>();
        for (Command command : List.of(
                new UpCommand(),
                new DownCommand(),
                new PsCommand("ps"),
                new PsCommand("status"),
                new ProcessCommand("start"),
                new ProcessCommand("stop"),
                new ProcessCommand("restart"),
                new ProcessCommand("run"),
                new ExecCommand(),
                new LogsCommand(),
                new EventsCommand(),
                new DashboardCommand(),
                new TopCommand(),
                new RoutesCommand(),
                new DrainCommand(true),
                new DrainCommand(false),
                new SimpleRemoteCommands.Reload(),
                new SimpleRemoteCommands.Health(),
                new SimpleRemoteCommands.SignalCommand(),
                new SimpleRemoteCommands.Scale(),
                new CleanupCommand(),
                new ValidateCommand(),
                new ConfigCommand(),
                new ImportCommand(),
                new ExportCommand(),
                new InstallCommand(true),
                new InstallCommand(false),
                new VersionCommand(),
                new DaemonCommand())) {
            commands.put(command.name(), command);
        }
        commands.put(
                "completion",
                new CompletionCommand(java.util.Collections.unmodifiableMap(new LinkedHashMap<>(commands))));
        return commands;
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String[] args) {
        Map<String, Command> commands = commands();
        // Options before the verb belong to every command: `drover -f x.yaml logs -f web`.
        List<String> global = new ArrayList<>();
        int verb = 0;
        while (verb < args.length && args[verb].startsWith("-")) {
            String option = args[verb];
            if (option.equals("-v") || option.equals("--version")) {
                return new VersionCommand().run(List.of());
            }
            if (option.equals("-h") || option.equals("--help")) {
                return help(commands, null);
            }
            if (option.equals("-f") || option.equals("--file") || option.equals("--runtime-dir")) {
                if (verb + 1 >= args.length) {
                    System.err.println("drover: " + option + " needs a value; see `drover help`");
                    return ExitCodes.USAGE;
                }
                global.add(option.equals("-f") ? "--file" : option);
                global.add(args[verb + 1]);
                verb += 2;
            } else if (option.startsWith("--file=") || option.startsWith("--runtime-dir=")) {
                global.add(option);
                verb++;
            } else {
                System.err.println("drover: unknown option " + option + " before the command; see `drover help`");
                return ExitCodes.USAGE;
            }
        }
        if (verb >= args.length || args[verb].equals("help")) {
            return help(commands, verb + 1 < args.length ? args[verb + 1] : null);
        }
        Command command = commands.get(args[verb]);
        if (command == null) {
            String suggestion = KeySuggestions.closest(args[verb], commands.keySet())
                    .map(c -> "; did you mean `drover " + c + "`?")
                    .orElse("");
            System.err.println("drover: unknown command " + args[verb] + suggestion + " (commands: "
                    + String.join(", ", commands.keySet()) + ")");
            return ExitCodes.USAGE;
        }
        List<String> rest = new ArrayList<>(global);
        rest.addAll(Arrays.asList(args).subList(verb + 1, args.length));
        if (rest.contains("--help") || rest.contains("-h")) {
            System.out.print(command.usage());
            return ExitCodes.OK;
        }
        try {
            return command.run(rest);
        } catch (CliException e) {
            System.err.println("drover " + command.name() + ": " + e.getMessage());
            return e.exitCode();
        }
    }

    private static int help(Map<String, Command> commands, String topic) {
        if (topic != null) {
            Command command = commands.get(topic);
            if (command == null) {
                System.err.println("drover: no help for unknown command " + topic);
                return ExitCodes.USAGE;
            }
            System.out.print(command.usage());
            return ExitCodes.OK;
        }
        StringBuilder text = new StringBuilder("Usage: drover [--file FILE] COMMAND [ARGS]\n\nCommands:\n");
        commands.values().forEach(c -> text.append(String.format("  %-9s %s%n", c.name(), c.summary())));
        text.append("  help      show this, or `drover help COMMAND` for one command\n");
        text.append('\n').append(SHARED_OPTIONS).append(EXIT_STATUS);
        System.out.print(text);
        return ExitCodes.OK;
    }
}
