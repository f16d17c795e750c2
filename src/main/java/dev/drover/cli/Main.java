package dev.drover.cli;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Entry point: picks the command and turns its failures into exit statuses. */
public final class Main {
    private Main() {}

    static Map<String, Command> commands() {
        Map<String, Command> commands = new LinkedHashMap<>();
        for (Command command : List.of(new UpCommand(), new DownCommand(), new PsCommand("ps"), new PsCommand("status"),
                new ProcessCommand("start"), new ProcessCommand("stop"), new ProcessCommand("restart"), new LogsCommand(), new EventsCommand(),
                new SimpleRemoteCommands.Reload(), new SimpleRemoteCommands.Health(), new SimpleRemoteCommands.SignalCommand(),
                new ValidateCommand(), new InstallCommand(), new VersionCommand(), new DaemonCommand())) {
            commands.put(command.name(), command);
        }
        return commands;
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String[] args) {
        Map<String, Command> commands = commands();
        if (args.length == 0 || args[0].equals("help") || args[0].equals("--help") || args[0].equals("-h")) {
            return help(commands, args.length > 1 ? args[1] : null);
        }
        Command command = commands.get(args[0].equals("--version") ? "version" : args[0]);
        if (command == null) {
            System.err.println("drover: unknown command " + args[0] + "; commands: " + String.join(", ", commands.keySet()));
            return ExitCodes.USAGE;
        }
        List<String> rest = Arrays.asList(args).subList(1, args.length);
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
        StringBuilder text = new StringBuilder("Usage: drover COMMAND [-f FILE] [ARGS]\n\nCommands:\n");
        commands.values().forEach(c -> text.append(String.format("  %-9s %s%n", c.name(), c.summary())));
        text.append("  help      show this, or `drover help COMMAND` for one command\n");
        text.append("\nEvery command takes -f FILE (default $DROVER_CONFIG, then ./drover.yaml) and --runtime-dir DIR\n");
        text.append("(default .drover/ beside the file, or $DROVER_RUNTIME_DIR).\n");
        text.append("Exit status: 0 ok, 1 failed, 2 usage error, 3 no daemon running.\n");
        System.out.print(text);
        return ExitCodes.OK;
    }
}
