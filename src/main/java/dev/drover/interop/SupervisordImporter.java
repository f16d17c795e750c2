package dev.drover.interop;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * supervisord's INI files: {@code [program:x]} sections become processes ({@code numprocs} →
 * replicas, {@code priority} → start order through {@code depends_on}), {@code %(ENV_X)s} becomes
 * {@code ${X}} (read from the environment at load time, as supervisord does), {@code [include]}
 * globs are followed.
 */
final class SupervisordImporter implements Importer {
    private static final Pattern EXPRESSION = Pattern.compile("%\\(([A-Za-z0-9_]+)\\)([-#0 +]*\\d*)([sd])|%%");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]+");
    private static final int DEFAULT_PRIORITY = 999;

    private static final Map<String, String> DAEMON_KEYS = Map.ofEntries(
            Map.entry("logfile", "drover's own events go to each process's log and to the daemon log in .drover/"),
            Map.entry("logfile_maxbytes", "drover's daemon log is not rotated by size"),
            Map.entry("logfile_backups", "drover's daemon log is not rotated by size"),
            Map.entry("loglevel", "drover logs its events at one level"),
            Map.entry("pidfile", "drover writes .drover/drover.pid beside the config file"),
            Map.entry("nodaemon", "`drover up` runs in the foreground, `drover up -d` in the background"),
            Map.entry("silent", "`drover up -d` prints nothing once the processes are ready"),
            Map.entry("minfds", "raise the limit for drover itself (ulimit -n, or LimitNOFILE= in its systemd unit)"),
            Map.entry("minprocs", "raise the limit for drover itself (ulimit -u, or LimitNPROC= in its systemd unit)"),
            Map.entry("umask", "drover's children inherit drover's umask"),
            Map.entry("user", "run drover itself as that user (`drover install systemd --run-as USER`)"),
            Map.entry("identifier", "drover is identified by its config file"),
            Map.entry("directory", "drover does not change directory; each process has its own cwd"),
            Map.entry("nocleanup", "drover rotates its log files itself"),
            Map.entry("strip_ansi", "drover keeps output as written; NO_COLOR turns its own colours off"));

    private final Map<String, String> hostName = new LinkedHashMap<>();

    @Override
    public void read(Path file, String content, ImportOptions options, Draft draft) throws InteropException {
        List<Ini.Section> sections = new ArrayList<>();
        load(file, content, new LinkedHashSet<>(), sections, draft, file);
        Map<String, String> groups = new LinkedHashMap<>();
        for (Ini.Section section : sections) {
            if (section.name().startsWith("group:")) {
                String group = section.name().substring("group:".length());
                for (String program : section.value("programs").orElse("").split(",")) {
                    groups.put(program.strip(), group);
                }
            }
        }
        Map<String, Integer> priorities = new LinkedHashMap<>();
        Map<String, Boolean> priorityWritten = new LinkedHashMap<>();
        for (Ini.Section section : sections) {
            String kind = section.name().contains(":")
                    ? section.name().substring(0, section.name().indexOf(':'))
                    : section.name();
            switch (kind) {
                case "program" -> {
                    String name = section.name().substring("program:".length()).strip();
                    String process = program(section, name, groups.getOrDefault(name, name), file, draft);
                    if (!Boolean.FALSE.equals(draft.process(process).get("enabled"))) {
                        priorities.put(process, priority(section, file));
                        priorityWritten.put(process, section.entry("priority").isPresent());
                    }
                }
                case "supervisord" -> daemon(section, file, draft);
                case "group" ->
                    section.entries()
                            .forEach(e -> draft.unmapped(
                                    source(section, e.key(), file),
                                    "drover has no groups: name several processes at once (`drover restart a b`);"
                                            + " %(group_name)s was expanded"));
                case "include" -> {} // followed while loading
                case "unix_http_server" ->
                    section.entries()
                            .forEach(
                                    e -> draft.unmapped(
                                            source(section, e.key(), file),
                                            "drover's control socket is .drover/drover.sock beside the config file, mode 0600"));
                case "inet_http_server" ->
                    section.entries()
                            .forEach(e -> draft.unmapped(
                                    source(section, e.key(), file),
                                    "set api.listen and api.token (a bearer token of 20 or more characters) for drover's"
                                            + " HTTP API on TCP; it has no user name and password"));
                case "supervisorctl" ->
                    section.entries()
                            .forEach(e -> draft.unmapped(
                                    source(section, e.key(), file),
                                    "the drover CLI talks to the daemon of its config file"));
                case "rpcinterface" ->
                    section.entries()
                            .forEach(
                                    e -> draft.unmapped(
                                            source(section, e.key(), file),
                                            "drover's HTTP API (docs/api.md) takes the place of supervisord's XML-RPC interface"));
                case "eventlistener" ->
                    everyKey(
                            section,
                            file,
                            draft,
                            "drover has no event listener protocol; `drover events`"
                                    + " (or GET /api/events) streams every state change");
                case "fcgi-program" ->
                    everyKey(section, file, draft, "drover does not open FastCGI sockets for its processes");
                default -> everyKey(section, file, draft, "not a section supervisord defines");
            }
        }
        order(priorities, priorityWritten, draft, sections, file);
    }

    /** Reads a file and, depth first, what its {@code [include]} names, each file once. */
    private void load(Path file, String content, Set<Path> seen, List<Ini.Section> sections, Draft draft, Path main)
            throws InteropException {
        seen.add(file);
        for (Ini.Section section : Ini.parse(content, file)) {
            sections.add(section);
            if (!section.name().equals("include")) {
                continue;
            }
            for (Ini.Entry entry : section.entries()) {
                if (!entry.key().equals("files")) {
                    draft.unmapped(source(section, entry.key(), main), "[include] knows only `files`");
                    continue;
                }
                List<Path> found = new ArrayList<>();
                for (String pattern : entry.value().split("\\s+")) {
                    if (!pattern.isEmpty()) {
                        found.addAll(glob(file.getParent(), expandHere(pattern, file)));
                    }
                }
                draft.mapped(
                        source(section, "files", main),
                        found.isEmpty()
                                ? "nothing (no file matches)"
                                : "read "
                                        + String.join(
                                                ", ",
                                                found.stream()
                                                        .map(p -> main.getParent()
                                                                .relativize(p)
                                                                .toString())
                                                        .toList()),
                        "");
                for (Path included : found) {
                    if (!seen.contains(included)) {
                        load(included, Importing.read(included), seen, sections, draft, main);
                    }
                }
            }
        }
    }

    private static String expandHere(String pattern, Path file) {
        return pattern.replace("%(here)s", file.getParent().toString());
    }

    /** supervisord's {@code glob.glob}, sorted; wildcards in the last path segment. */
    private static List<Path> glob(Path base, String pattern) throws InteropException {
        Path full = base.resolve(pattern).normalize();
        Path dir = full.getParent();
        PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + full.getFileName());
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> matcher.matches(p.getFileName()) && Files.isRegularFile(p))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new InteropException(
                    "cannot list " + dir + " for [include] files=" + pattern + ": " + e.getMessage());
        }
    }

    private static String source(Ini.Section section, String key, Path main) {
        String where = section.file().equals(main) ? "" : main.getParent().relativize(section.file()) + ": ";
        return where + "[" + section.name() + "] " + key;
    }

    private static void everyKey(Ini.Section section, Path main, Draft draft, String why) {
        if (section.entries().isEmpty()) {
            draft.unmapped("[" + section.name() + "]", why);
        }
        section.entries().forEach(e -> draft.unmapped(source(section, e.key(), main), why));
    }

    private void daemon(Ini.Section section, Path main, Draft draft) throws InteropException {
        for (Ini.Entry entry : section.entries()) {
            String source = source(section, entry.key(), main);
            switch (entry.key()) {
                case "environment" -> {
                    Map<String, String> env = environment(expand(entry, Map.of(), section, main), section, entry);
                    @SuppressWarnings("unchecked")
                    Map<String, Object> shared = (Map<String, Object>)
                            draft.root().computeIfAbsent("env", k -> new LinkedHashMap<String, Object>());
                    shared.putAll(env);
                    draft.mapped(source, "env", "for every process");
                }
                case "childlogdir" -> {
                    draft.root().put("log_dir", draft.path(Path.of(expand(entry, Map.of(), section, main))));
                    draft.mapped(source, "log_dir", "one NAME.log per instance");
                }
                default ->
                    draft.unmapped(
                            source, DAEMON_KEYS.getOrDefault(entry.key(), "not a [supervisord] setting drover knows"));
            }
        }
    }

    /** One {@code [program:x]}; returns the process name it became. */
    private String program(Ini.Section section, String programName, String group, Path main, Draft draft)
            throws InteropException {
        String process = programName;
        if (!NAME.matcher(programName).matches()) {
            process = programName.replaceAll("[^A-Za-z0-9_-]", "-");
            draft.mapped(
                    "[" + section.name() + "]", "processes." + process, "renamed: drover names are [A-Za-z0-9_-]+");
        }
        int numprocs = 1;
        if (section.entry("numprocs").isPresent()) {
            numprocs = (int) nonNegative(section.entry("numprocs").get(), section, main);
            if (numprocs < 1) {
                throw new InteropException(
                        section.file() + ":" + section.entry("numprocs").get().line() + ": [" + section.name()
                                + "] numprocs must be 1 or more");
            }
        }
        Map<String, String> variables = new LinkedHashMap<>();
        variables.put("program_name", programName);
        variables.put("group_name", group);
        variables.put("numprocs", Integer.toString(numprocs));
        variables.put("process_num", numprocs > 1 ? "${DROVER_REPLICA}" : "0");
        draft.process(process);
        if (section.entry("command").isEmpty()) {
            throw new InteropException(section.file() + ":" + section.line() + ": [" + section.name()
                    + "] has no command (supervisord refuses it too)");
        }
        for (Ini.Entry entry : section.entries()) {
            String source = source(section, entry.key(), main);
            String value = expand(entry, variables, section, main);
            switch (entry.key()) {
                case "command" -> {
                    List<String> argv = Shlex.split(value);
                    if (argv.isEmpty()) {
                        throw new InteropException(
                                section.file() + ":" + entry.line() + ": [" + section.name() + "] command is empty");
                    }
                    draft.set(process, "command", argv, source, "run directly, as supervisord does, without a shell");
                }
                case "numprocs" -> {
                    if (numprocs > 1) {
                        draft.set(
                                process,
                                "replicas",
                                numprocs,
                                source,
                                "instances " + process + ".0 … " + process + "." + (numprocs - 1)
                                        + "; %(process_num)d is ${DROVER_REPLICA}");
                    } else {
                        draft.mapped(source, "processes." + process, "one instance is drover's default");
                    }
                }
                case "numprocs_start" -> {
                    if (value.strip().equals("0")) {
                        draft.mapped(source, "processes." + process + ".replicas", "drover numbers replicas from 0");
                    } else {
                        draft.unmapped(
                                source,
                                "drover numbers replicas from 0; ${DROVER_REPLICA} stands where"
                                        + " %(process_num)d was, without the offset " + value);
                    }
                }
                case "process_name" ->
                    draft.unmapped(
                            source,
                            "drover names instances itself: " + process
                                    + (numprocs > 1 ? ".0, " + process + ".1, …" : ""));
                case "priority" -> {} // start order, below
                case "autostart" -> {
                    if (!bool(entry, section, main)) {
                        draft.set(process, "enabled", false, source, "`drover up` skips it unless it is named");
                    } else {
                        draft.mapped(source, "processes." + process + ".enabled", "true is drover's default");
                    }
                }
                case "startsecs" ->
                    draft.set(
                            process,
                            "min_uptime",
                            Units.seconds(nonNegative(entry, section, main)),
                            source,
                            "ready (and a start counted as good) after this long up");
                case "startretries" -> {
                    long retries = nonNegative(entry, section, main);
                    if (retries == 0) {
                        draft.unmapped(
                                source,
                                "0 means no retry after a failed start; drover's max_restarts: 0 means"
                                        + " no limit, so it is left at its default (10)");
                    } else {
                        draft.set(
                                process,
                                "max_restarts",
                                retries,
                                source,
                                "failed starts in a row before fatal;"
                                        + " drover also counts restarts within restart_window (60s)");
                    }
                }
                case "autorestart" -> {
                    String policy = switch (value.strip().toLowerCase(Locale.ROOT)) {
                        case "true" -> "always";
                        case "false" -> "no";
                        case "unexpected" -> "on-failure";
                        default ->
                            throw new InteropException(section.file() + ":" + entry.line()
                                    + ": autorestart must be true, false or unexpected, got " + value);
                    };
                    draft.set(process, "restart", policy, source);
                }
                case "exitcodes" -> {
                    if (value.replace(" ", "").equals("0")) {
                        draft.mapped(source, "processes." + process + ".restart", "exit 0 is the expected exit");
                    } else {
                        draft.unmapped(
                                source,
                                "drover counts only exit status 0 as expected; " + value
                                        + " would be failures for restart: on-failure");
                    }
                }
                case "stopsignal" ->
                    draft.set(process, "stop_signal", value.strip().toUpperCase(Locale.ROOT), source);
                case "stopwaitsecs" ->
                    draft.set(
                            process,
                            "stop_timeout",
                            Units.seconds(nonNegative(entry, section, main)),
                            source,
                            "then SIGKILL to everything it started");
                case "stopasgroup", "killasgroup" ->
                    draft.mapped(
                            source,
                            "drover's default",
                            bool(entry, section, main)
                                    ? "drover always signals the whole process group and kills everything the process started"
                                    : "differs: drover signals the whole process group even so");
                case "user" -> draft.set(process, "user", value.strip(), source);
                case "umask" -> draft.set(process, "umask", value.strip(), source);
                case "directory" ->
                    draft.set(process, "cwd", draft.path(main.getParent().resolve(value.strip())), source);
                case "environment" -> {
                    Map<String, String> env = environment(value, section, entry);
                    draft.set(process, "env", env, source, env.size() + " variables");
                }
                case "redirect_stderr" ->
                    draft.mapped(source, "drover's default", "one log per instance holds stdout and stderr");
                case "stdout_logfile" -> {
                    String target = value.strip();
                    if (target.equalsIgnoreCase("AUTO")) {
                        draft.mapped(source, "log_dir", "drover writes log_dir/" + process + ".log");
                    } else if (target.equalsIgnoreCase("NONE")) {
                        draft.unmapped(source, "drover always keeps a log file per instance (in log_dir)");
                    } else {
                        draft.set(
                                process, "log_file", draft.path(main.getParent().resolve(target)), source);
                    }
                }
                case "stdout_logfile_maxbytes" -> {
                    var size = Units.size(value);
                    if (size.isEmpty() || size.get().equals("0B")) {
                        draft.unmapped(
                                source,
                                size.isEmpty()
                                        ? "not a size: " + value
                                        : "0 means never rotate; drover rotates every log by size (log.max_size)");
                    } else {
                        draft.setNested(process, "log", "max_size", size.get(), source, "");
                    }
                }
                case "stdout_logfile_backups" ->
                    draft.setNested(process, "log", "keep", nonNegative(entry, section, main), source, "");
                case "stderr_logfile", "stderr_logfile_maxbytes", "stderr_logfile_backups" ->
                    draft.unmapped(
                            source,
                            "drover writes stderr into the same log as stdout (the ring buffer"
                                    + " remembers which stream each line came from)");
                case "stdout_capture_maxbytes",
                        "stderr_capture_maxbytes",
                        "stdout_events_enabled",
                        "stderr_events_enabled" ->
                    draft.unmapped(source, "drover has no capture mode or log events; `drover logs -f` follows output");
                case "stdout_syslog", "stderr_syslog" ->
                    draft.unmapped(source, "drover writes logs to files, not to syslog");
                case "serverurl" ->
                    draft.unmapped(source, "processes do not talk to drover through supervisorctl's URL");
                default -> draft.unmapped(source, "not a supervisord program key drover knows");
            }
        }
        if (section.entry("autorestart").isEmpty()) {
            draft.process(process).put("restart", "on-failure");
            draft.mapped(
                    "[" + section.name() + "] autorestart (default unexpected)",
                    "processes." + process + ".restart",
                    "on-failure");
        }
        return process;
    }

    private static int priority(Ini.Section section, Path main) throws InteropException {
        var entry = section.entry("priority");
        if (entry.isEmpty()) {
            return DEFAULT_PRIORITY;
        }
        return (int) nonNegative(entry.get(), section, main);
    }

    /**
     * supervisord starts programs in ascending priority and stops them in the reverse order: each
     * program depends on (condition started) every program of the next lower priority, and drover
     * stops in reverse dependency order.
     */
    private static void order(
            Map<String, Integer> priorities,
            Map<String, Boolean> written,
            Draft draft,
            List<Ini.Section> sections,
            Path main) {
        TreeMap<Integer, List<String>> tiers = new TreeMap<>();
        priorities.forEach((name, priority) ->
                tiers.computeIfAbsent(priority, k -> new ArrayList<>()).add(name));
        Map<String, String> sourceOf = new LinkedHashMap<>();
        for (Ini.Section section : sections) {
            if (section.name().startsWith("program:")) {
                String name =
                        section.name().substring("program:".length()).strip().replaceAll("[^A-Za-z0-9_-]", "-");
                sourceOf.put(name, source(section, "priority", main));
            }
        }
        List<String> previous = null;
        for (var tier : tiers.entrySet()) {
            for (String process : tier.getValue()) {
                String source = sourceOf.get(process) + (written.get(process) ? "" : " (default 999)");
                if (previous == null) {
                    if (written.get(process) || tiers.size() > 1) {
                        draft.mapped(
                                source,
                                "processes." + process,
                                tiers.size() == 1
                                        ? "every program has this priority: no order to keep"
                                        : "lowest priority: started first, stopped last");
                    }
                } else {
                    draft.set(
                            process,
                            "depends_on",
                            List.copyOf(previous),
                            source,
                            "priority " + tier.getKey() + ": started after " + String.join(", ", previous)
                                    + ", stopped before them");
                }
            }
            previous = tier.getValue();
        }
    }

    /** supervisord's {@code dict_of_key_value_pairs}: {@code A="1",B=two}. */
    private static Map<String, String> environment(String value, Ini.Section section, Ini.Entry entry)
            throws InteropException {
        Map<String, String> env = new LinkedHashMap<>();
        int i = 0;
        String text = value.strip();
        while (i < text.length()) {
            int equals = text.indexOf('=', i);
            if (equals < 0) {
                throw new InteropException(section.file() + ":" + entry.line() + ": environment needs KEY=VALUE"
                        + " pairs separated by commas, got " + value);
            }
            String key = text.substring(i, equals).strip();
            int j = equals + 1;
            StringBuilder v = new StringBuilder();
            while (j < text.length() && text.charAt(j) != ',') {
                char c = text.charAt(j);
                if (c == '"' || c == '\'') {
                    int close = text.indexOf(c, j + 1);
                    if (close < 0) {
                        throw new InteropException(
                                section.file() + ":" + entry.line() + ": unclosed quote in environment: " + value);
                    }
                    v.append(text, j + 1, close);
                    j = close + 1;
                } else {
                    v.append(c);
                    j++;
                }
            }
            env.put(key, v.toString().strip());
            i = j + 1;
        }
        return env;
    }

    /**
     * Expands supervisord's {@code %(name)s} expressions: {@code ENV_X} becomes drover's {@code ${X}}
     * (read from the environment when drover loads the file, as supervisord read it when it
     * loaded its own); a {@code $} already in the value is kept literal.
     */
    private String expand(Ini.Entry entry, Map<String, String> variables, Ini.Section section, Path main)
            throws InteropException {
        String text = Units.literal(entry.value());
        Matcher m = EXPRESSION.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String replacement;
            if (m.group().equals("%%")) {
                replacement = "%";
            } else {
                String name = m.group(1);
                if (name.startsWith("ENV_")) {
                    replacement = "${" + name.substring(4) + "}";
                } else if (name.equals("here")) {
                    replacement = section.file().getParent().toString();
                } else if (name.equals("host_node_name")) {
                    replacement = hostName();
                } else if (variables.containsKey(name)) {
                    replacement = variables.get(name);
                } else {
                    throw new InteropException(section.file() + ":" + entry.line() + ": [" + section.name() + "] "
                            + entry.key() + ": %(" + name + ")s cannot be expanded (supervisord refuses it too)");
                }
            }
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(out);
        return out.toString();
    }

    private String hostName() {
        return hostName.computeIfAbsent("name", k -> {
            try {
                return InetAddress.getLocalHost().getHostName();
            } catch (IOException e) {
                return "localhost";
            }
        });
    }

    private static boolean bool(Ini.Entry entry, Ini.Section section, Path main) throws InteropException {
        return switch (entry.value().strip().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on", "1" -> true;
            case "false", "no", "off", "0" -> false;
            default ->
                throw new InteropException(section.file() + ":" + entry.line() + ": [" + section.name() + "] "
                        + entry.key() + " must be true or false, got " + entry.value());
        };
    }

    private static long nonNegative(Ini.Entry entry, Ini.Section section, Path main) throws InteropException {
        try {
            long n = Long.parseLong(entry.value().strip());
            if (n >= 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new InteropException(section.file() + ":" + entry.line() + ": [" + section.name() + "] " + entry.key()
                + " must be a whole number of 0 or more, got " + entry.value());
    }
}
