package dev.drover.cli;

import dev.drover.config.ConfigLoader;
import dev.drover.control.ControlException;
import dev.drover.control.ProcessInfo;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * `drover completion bash|zsh|fish`: a completion script for the shell, built from the same
 * commands and usage texts as `drover help` (a command's flags are the options its usage names).
 * Process names come from `drover completion names`: the running daemon's instances, else the
 * processes of the configuration file, else nothing.
 */
final class CompletionCommand implements Command {
    private static final Pattern OPTION = Pattern.compile("(?<![\\w-])(--?[a-zA-Z][a-zA-Z-]*)");
    /** Commands whose words after the options are process names. */
    private static final Set<String> TAKE_NAMES = Set.of(
            "up", "ps", "status", "start", "stop", "restart", "run", "exec", "logs", "signal", "drain", "undrain",
            "scale", "daemon");

    private final Map<String, Command> commands;

    CompletionCommand(Map<String, Command> commands) {
        this.commands = commands;
    }

    @Override
    public String name() {
        return "completion";
    }

    @Override
    public String summary() {
        return "print a shell completion script (bash, zsh or fish)";
    }

    @Override
    public String usage() {
        return """
                Usage: drover completion bash|zsh|fish

                Prints a script that completes drover's commands, their options and process
                names (from the running daemon, else from the configuration file). Load it with
                  bash: source <(drover completion bash)       (or save it in
                        /etc/bash_completion.d/drover)
                  zsh:  source <(drover completion zsh)
                  fish: drover completion fish > ~/.config/fish/completions/drover.fish
                """;
    }

    @Override
    public int run(List<String> args) throws CliException {
        if (!args.isEmpty() && args.getFirst().equals("names")) {
            names(args.subList(1, args.size())).forEach(System.out::println);
            return ExitCodes.OK;
        }
        if (args.size() != 1) {
            throw new CliException(ExitCodes.USAGE, "completion needs one shell: bash, zsh or fish");
        }
        String script = switch (args.getFirst()) {
            case "bash" -> bash();
            case "zsh" ->
                "# drover completion for zsh (through bash's completion)\n"
                        + "autoload -U +X bashcompinit && bashcompinit\n" + bash();
            case "fish" -> fish();
            default ->
                throw new CliException(
                        ExitCodes.USAGE, "no completion for " + args.getFirst() + ": use bash, zsh or fish");
        };
        System.out.print(script);
        return ExitCodes.OK;
    }

    /** The instances of the running daemon, else the processes of the configuration; quietly nothing on failure. */
    private static Set<String> names(List<String> args) {
        Set<String> names = new TreeSet<>();
        Arguments arguments;
        try {
            arguments = Arguments.parse("completion", args, Set.of());
        } catch (CliException e) {
            return names;
        }
        try {
            for (ProcessInfo p : Daemons.connect(arguments).processes()) {
                names.add(p.name());
                if (!p.id().equals(p.name())) {
                    names.add(p.id());
                }
            }
            return names;
        } catch (ControlException | RuntimeException e) {
            // no daemon: the file, then
        }
        try {
            names.addAll(ConfigLoader.load(arguments.configFiles, System.getenv())
                    .processes()
                    .keySet());
        } catch (Exception e) {
            // no valid file: nothing to offer
        }
        return names;
    }

    /** Every command with the options its usage text names. */
    private Map<String, Set<String>> options() {
        Map<String, Set<String>> options = new java.util.LinkedHashMap<>();
        for (Command command : commands.values()) {
            Set<String> found = new LinkedHashSet<>(List.of("--file", "--runtime-dir", "--help"));
            Matcher m = OPTION.matcher(command.usage());
            while (m.find()) {
                found.add(m.group(1));
            }
            options.put(command.name(), found);
        }
        return options;
    }

    private String bash() {
        StringBuilder cases = new StringBuilder();
        options()
                .forEach((command, flags) -> cases.append("        ")
                        .append(command)
                        .append(") flags=\"")
                        .append(String.join(" ", flags))
                        .append("\" ;;\n"));
        return """
                # drover completion for bash: source <(drover completion bash)
                _drover() {
                    local cur prev cmd flags i
                    cur="${COMP_WORDS[COMP_CWORD]}"
                    prev="${COMP_WORDS[COMP_CWORD-1]}"
                    cmd=""
                    for ((i = 1; i < COMP_CWORD; i++)); do
                        case "${COMP_WORDS[i]}" in
                            -f|--file|--runtime-dir) ((i++)) ;;
                            -*) ;;
                            *) cmd="${COMP_WORDS[i]}"; break ;;
                        esac
                    done
                    case "$prev" in
                        -f|--file|--env-file) COMPREPLY=( $(compgen -f -- "$cur") ); return ;;
                        --runtime-dir) COMPREPLY=( $(compgen -d -- "$cur") ); return ;;
                    esac
                    if [[ -z "$cmd" ]]; then
                        COMPREPLY=( $(compgen -W "%s help" -- "$cur") )
                        return
                    fi
                    case "$cmd" in
                %s        help) COMPREPLY=( $(compgen -W "%s" -- "$cur") ); return ;;
                        *) flags="" ;;
                    esac
                    if [[ "$cur" == -* ]]; then
                        COMPREPLY=( $(compgen -W "$flags" -- "$cur") )
                        return
                    fi
                    case "$cmd" in
                        %s)
                            local file=()
                            for ((i = 1; i < COMP_CWORD; i++)); do
                                case "${COMP_WORDS[i]}" in
                                    --file|--runtime-dir) file+=("${COMP_WORDS[i]}" "${COMP_WORDS[i+1]}") ;;
                                    -f) [[ "$cmd" != logs ]] && file+=(--file "${COMP_WORDS[i+1]}") ;;
                                esac
                            done
                            COMPREPLY=( $(compgen -W "$(drover completion names "${file[@]}" 2>/dev/null)" -- "$cur") )
                            ;;
                    esac
                }
                complete -F _drover drover
                """.formatted(
                        String.join(" ", commands.keySet()),
                        cases,
                        String.join(" ", commands.keySet()),
                        String.join("|", TAKE_NAMES.stream().sorted().toList()));
    }

    private String fish() {
        StringBuilder text = new StringBuilder("# drover completion for fish\ncomplete -c drover -f\n");
        for (Command command : commands.values()) {
            text.append("complete -c drover -n __fish_use_subcommand -a ")
                    .append(command.name())
                    .append(" -d ")
                    .append(fishQuote(command.summary()))
                    .append('\n');
        }
        options().forEach((command, flags) -> {
            for (String flag : flags) {
                text.append("complete -c drover -n '__fish_seen_subcommand_from ")
                        .append(command)
                        .append("' ")
                        .append(flag.startsWith("--") ? "-l " + flag.substring(2) : "-s " + flag.substring(1))
                        .append('\n');
            }
        });
        List<String> named = new ArrayList<>(TAKE_NAMES);
        named.sort(null);
        text.append("complete -c drover -n '__fish_seen_subcommand_from ")
                .append(String.join(" ", named))
                .append("' -a '(drover completion names 2>/dev/null)'\n");
        return text.toString();
    }

    private static String fishQuote(String text) {
        return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }
}
