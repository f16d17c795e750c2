package dev.drover.config;

import dev.drover.config.YamlNode.Mapping;
import dev.drover.config.YamlNode.Scalar;
import dev.drover.config.YamlNode.Sequence;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Reads the everyday-operations keys of a process: who it runs as ({@code user}, {@code group},
 * {@code groups}, {@code umask}), its hooks ({@code pre_start}, {@code post_stop}) and its
 * {@code schedule} with {@code timezone}, {@code overlap} and {@code catch_up}; and whether it
 * speaks sd_notify ({@code notify}, {@code watchdog}).
 */
final class OperationsBinder {
    static final List<String> KEYS = List.of(
            "user",
            "group",
            "groups",
            "umask",
            "pre_start",
            "post_stop",
            "start_delay",
            "schedule",
            "timezone",
            "overlap",
            "catch_up",
            "pid_file",
            "log_file",
            "output",
            "notify",
            "watchdog");

    private OperationsBinder() {}

    static RunAs runAs(Fields f) {
        NodeReader reader = f.reader();
        String user = f.text("user").map(String::strip).orElse(null);
        String group = f.text("group").map(String::strip).orElse(null);
        List<String> groups = f.node("groups")
                .flatMap(n -> reader.list(n, f.path("groups")))
                .map(items -> {
                    List<String> names = new ArrayList<>();
                    for (int i = 0; i < items.size(); i++) {
                        reader.text(items.get(i), KeyPaths.index(f.path("groups"), i))
                                .map(String::strip)
                                .ifPresent(names::add);
                    }
                    return names;
                })
                .orElse(null);
        Integer umask =
                f.node("umask").flatMap(n -> umask(n, f.path("umask"), reader)).orElse(null);
        RunAs runAs = new RunAs(user, group, groups, umask);
        if (!runAs.switchesIdentity()) {
            return runAs;
        }
        if (user != null && Accounts.user(user).isEmpty()) {
            reader.error(f.node("user").orElseThrow(), f.path("user"), "no user \"" + user + "\" on this system");
        }
        if (group != null && !Accounts.groupExists(group)) {
            reader.error(f.node("group").orElseThrow(), f.path("group"), "no group \"" + group + "\" on this system");
        }
        if (groups != null) {
            for (String g : groups) {
                if (!Accounts.groupExists(g)) {
                    reader.error(
                            f.node("groups").orElseThrow(), f.path("groups"), "no group \"" + g + "\" on this system");
                }
            }
        }
        if (user == null) {
            String key = group != null ? "group" : "groups";
            reader.error(
                    f.node(key).orElseThrow(),
                    f.path(key),
                    key + " needs user: the process runs as that user with these groups");
        } else if (Accounts.currentUid() != 0) {
            reader.error(
                    f.node("user").orElseThrow(),
                    f.path("user"),
                    "running as user \"" + user + "\" needs Drover to run as root (it runs as uid "
                            + Accounts.currentUid() + "); remove user or start Drover as root");
        }
        return runAs;
    }

    /** An octal mask: {@code "027"}, {@code "0027"}, or YAML's octal {@code 0o027}. */
    private static Optional<Integer> umask(YamlNode node, String path, NodeReader reader) {
        return reader.text(node, path, "an octal umask like \"027\"").flatMap(text -> {
            String digits = text.strip().toLowerCase(Locale.ROOT).replaceFirst("^0o", "");
            if (!digits.matches("[0-7]{1,4}") || Integer.parseInt(digits, 8) > 0777) {
                reader.error(
                        node,
                        path,
                        "expected an octal umask from 000 to 777 like \"027\", got \"" + text.strip() + "\"");
                return Optional.empty();
            }
            return Optional.of(Integer.parseInt(digits, 8));
        });
    }

    /** {@code pid_file}: relative to the config's directory; one per replica when there are several. */
    static String pidFile(Fields f, java.nio.file.Path baseDir, int replicas) {
        return perReplicaPath(f, "pid_file", baseDir, replicas, "run/web-${DROVER_REPLICA}.pid");
    }

    /**
     * {@code log_file} and {@code output} into the {@code log} settings: a file of its own instead
     * of {@code log_dir/NAME.log}, and whether each line also goes to the daemon's output.
     */
    static LogSpec placedLog(Fields f, LogSpec log, java.nio.file.Path baseDir, int replicas) {
        String file = perReplicaPath(f, "log_file", baseDir, replicas, "logs/web-${DROVER_REPLICA}.log");
        boolean echo = f.node("output")
                .flatMap(n -> f.reader().text(n, f.path("output"), "file, stdout or journal"))
                .map(text -> switch (text.strip()) {
                    case "file" -> false;
                    case "stdout", "journal" -> true;
                    default -> {
                        f.reader()
                                .error(
                                        f.node("output").orElseThrow(),
                                        f.path("output"),
                                        "expected file, stdout or journal, got \"" + text.strip() + "\"");
                        yield false;
                    }
                })
                .orElse(false);
        return log.placed(file, echo);
    }

    /** A file path relative to the config's directory that each replica must have its own of. */
    private static String perReplicaPath(
            Fields f, String key, java.nio.file.Path baseDir, int replicas, String example) {
        return f.text(key)
                .map(String::strip)
                .filter(text -> {
                    if (replicas > 1 && !ProcessSpec.perReplica(text)) {
                        f.reader()
                                .error(
                                        f.node(key).orElseThrow(),
                                        f.path(key),
                                        "with " + replicas + " replicas each needs its own " + noun(key)
                                                + ": put ${DROVER_REPLICA} in the path (" + example + ")");
                        return false;
                    }
                    return !text.isEmpty();
                })
                .map(text -> text.startsWith("/") ? text : baseDir + "/" + text)
                .orElse(null);
    }

    private static String noun(String key) {
        return key.equals("pid_file") ? "PID file" : "log file";
    }

    /**
     * {@code notify: true} and its {@code watchdog}. A notify process says itself when it is ready
     * (READY=1), so a readiness probe beside it is refused rather than combined: two sources of
     * readiness would disagree with no rule for which one wins.
     */
    static NotifySpec notify(Fields f) {
        NodeReader reader = f.reader();
        boolean notify = f.bool("notify").orElse(false);
        Duration watchdog = f.positiveDuration("watchdog").orElse(null);
        if (!notify) {
            if (f.node("watchdog").isPresent()) {
                reader.error(
                        f.node("watchdog").orElseThrow(),
                        f.path("watchdog"),
                        "watchdog needs notify: true (the process pings with WATCHDOG=1 over its NOTIFY_SOCKET)");
            }
            return null;
        }
        if (f.node("readiness").filter(n -> !NodeReader.isAbsent(n)).isPresent()) {
            reader.error(
                    f.node("readiness").orElseThrow(),
                    f.path("readiness"),
                    "a process with notify: true is ready when it sends READY=1; remove readiness (or notify)");
        }
        return new NotifySpec(watchdog);
    }

    static Hooks hooks(Fields f) {
        return new Hooks(commands(f, "pre_start"), commands(f, "post_stop"));
    }

    /** One command (a string, or a list of words) or a list of commands (each a string or a list of words). */
    private static List<Command> commands(Fields f, String key) {
        NodeReader reader = f.reader();
        String path = f.path(key);
        Optional<YamlNode> node = f.node(key).filter(n -> !NodeReader.isAbsent(n));
        if (node.isEmpty()) {
            return List.of();
        }
        List<Command> commands = new ArrayList<>();
        switch (node.get()) {
            case Scalar s -> CommandBinder.bind(s, path, reader).ifPresent(commands::add);
            case Sequence list -> {
                for (int i = 0; i < list.items().size(); i++) {
                    YamlNode item = list.items().get(i);
                    String itemPath = KeyPaths.index(path, i);
                    if (item instanceof Mapping m) {
                        reader.error(m, itemPath, "expected a command (a string, or a list of words), got a map");
                    } else {
                        CommandBinder.bind(item, itemPath, reader).ifPresent(commands::add);
                    }
                }
            }
            case Mapping m -> reader.error(m, path, "expected a command or a list of commands, got a map");
        }
        return commands;
    }

    static ScheduleSpec schedule(Fields f, RestartPolicy restart, int replicas) {
        NodeReader reader = f.reader();
        Optional<YamlNode> node = f.node("schedule");
        // The system's zone only when a schedule needs it: looking it up loads the zone rules (~20 ms).
        Optional<ZoneId> zone = f.text("timezone").flatMap(text -> zone(text, f));
        ScheduleSpec.Overlap overlap = f.text("overlap")
                .flatMap(text -> {
                    Optional<ScheduleSpec.Overlap> found = Arrays.stream(ScheduleSpec.Overlap.values())
                            .filter(o -> o.yamlName().equals(text.strip()))
                            .findFirst();
                    if (found.isEmpty()) {
                        reader.error(
                                f.node("overlap").orElseThrow(),
                                f.path("overlap"),
                                "expected one of "
                                        + Arrays.stream(ScheduleSpec.Overlap.values())
                                                .map(ScheduleSpec.Overlap::yamlName)
                                                .collect(Collectors.joining(", "))
                                        + ", got \"" + text + "\"");
                    }
                    return found;
                })
                .orElse(Defaults.OVERLAP);
        boolean catchUp = f.bool("catch_up").orElse(false);
        if (node.isEmpty()) {
            for (String key : List.of("timezone", "overlap", "catch_up")) {
                f.node(key).ifPresent(n -> reader.error(n, f.path(key), key + " needs schedule"));
            }
            return null;
        }
        Optional<String> text = reader.text(node.get(), f.path("schedule"), "a cron expression or @every 30s");
        if (text.isEmpty()) {
            return null;
        }
        String expression = text.get().strip();
        Duration every = null;
        if (expression.startsWith("@every")) {
            Optional<Duration> interval;
            try {
                interval = Optional.of(Durations.parse(expression.substring("@every".length())));
            } catch (IllegalArgumentException e) {
                interval = Optional.empty();
            }
            if (interval.isEmpty() || interval.get().isZero()) {
                reader.error(
                        node.get(),
                        f.path("schedule"),
                        "expected @every with a duration like @every 30s, got \"" + expression + "\"");
                return null;
            }
            every = interval.get();
        } else {
            Optional<String> problem = CronExpressions.problem(expression);
            if (problem.isPresent()) {
                reader.error(
                        node.get(),
                        f.path("schedule"),
                        "invalid cron expression \"" + expression
                                + "\" (five fields: minute hour day-of-month month day-of-week, or @hourly,"
                                + " @daily, @weekly, @monthly, @yearly, @every 30s): " + problem.get());
                return null;
            }
        }
        if (restart == RestartPolicy.ALWAYS) {
            reader.error(
                    node.get(),
                    f.path("schedule"),
                    "a scheduled job cannot have restart: always (each run must end); use on_failure or \"no\"");
        }
        if (replicas > 1) {
            reader.error(node.get(), f.path("schedule"), "a scheduled job runs one instance; remove replicas");
        }
        return new ScheduleSpec(expression, every, zone.orElseGet(ZoneId::systemDefault), overlap, catchUp);
    }

    private static Optional<ZoneId> zone(String text, Fields f) {
        try {
            return Optional.of(ZoneId.of(text.strip()));
        } catch (DateTimeException e) {
            f.reader()
                    .error(
                            f.node("timezone").orElseThrow(),
                            f.path("timezone"),
                            "unknown time zone \"" + text + "\" (use a name like Europe/Berlin or UTC)");
            return Optional.empty();
        }
    }
}
