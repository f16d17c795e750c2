package dev.drover.config;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds {@code drover.yaml} documents that are well-formed YAML with the right overall shape
 * (known top-level keys, a {@code processes} map, process keys) and fuzzed values, so that a fuzzer
 * gets past the YAML parser into the binders, the interpolation and the validator. Every byte
 * string makes some document; running out of bytes makes a small one.
 *
 * <p>Values come from per-key pools of valid and borderline spellings, mixed with variable
 * references and free text from the fuzzer; now and then a value is of the wrong type, a key is
 * misspelt, or a map is shared through an anchor and merged with {@code <<}.
 */
final class FuzzedConfigs {

    /** A scalar written as it should appear in the YAML text (already quoted or not). */
    private record Raw(String yaml) {}

    /** A collection with an anchor ({@code &name}) in front of it. */
    private record Anchored(String name, Object value) {}

    /** The values of one key: ones the loader should accept, and odd ones it may or may not. */
    private record Pool(String[] valid, String[] odd) {}

    private static final Pool NAMES = new Pool(
            new String[] {"db", "api", "web", "worker", "migrate", "a", "x_1", "API-2", "-", "0", "processes"},
            new String[] {"bad.name", "has space", "", "ünï", "<<", "x-ext"});
    private static final String[] TOP_KEYS = {
        "version",
        "env",
        "env_file",
        "log_dir",
        "processes",
        "routes",
        "proxy",
        "api",
        "x-common",
        "proccesses",
        "unknown"
    };
    private static final String[] PROCESS_KEYS = {
        "command",
        "cwd",
        "env",
        "port",
        "replicas",
        "depends_on",
        "restart",
        "max_restarts",
        "restart_window",
        "backoff",
        "stop_signal",
        "stop_timeout",
        "readiness",
        "liveness",
        "limits",
        "log",
        "enabled",
        "start_delay",
        "output",
        "umask",
        "notify",
        "watchdog",
        "comand",
        "restrat",
        "<<"
    };

    private static final Pool DURATIONS = new Pool(
            new String[] {"0", "1ms", "500ms", "10s", "5m", "1h", "1m30s", "1.5s", "0s", "${UNSET:-2s}"},
            new String[] {"10", "-1s", "1e3s", "99999999999999999999h", "s", "", "0.0001ms", "1h1h", "1 s", "${EMPTY}"
            });
    private static final Pool OUTPUTS =
            new Pool(new String[] {"file", "stdout", "journal"}, new String[] {"syslog", "", "STDOUT"});
    private static final Pool UMASKS =
            new Pool(new String[] {"027", "0022", "0o077", "000"}, new String[] {"999", "abc", "-1", "07777"});
    private static final Pool SIZES = new Pool(
            new String[] {"1", "100B", "512KB", "10MB", "1GiB", "1.5GB", "10 mb", "${UNSET:-1MB}"},
            new String[] {"0", "9999999999999TB", "-1MB", "MB", "1e3", "0.5B", "10Mb"});
    private static final Pool INTEGERS = new Pool(
            new String[] {"1", "2", "3", "0", "010", "+5", " 7 ", "${UNSET:-4}"},
            new String[] {"-1", "2147483647", "2147483648", "-2147483648", "1_000", "0x10", "1.0", "99999999999"});
    private static final Pool NUMBERS = new Pool(
            new String[] {"1", "2", "1.5", "2E+2", "1."},
            new String[] {"0.5", "1e999", "-1", ".5", "1e-999", "NaN", ".inf", "1e308", "0"});
    private static final Pool CPUS = new Pool(
            new String[] {"90%", "100", "50.5%", " 5 % ", "0.0001%"},
            new String[] {"0%", "0", "-5%", "1e999", "1e999%", "%", "abc"});
    private static final Pool RESTARTS = new Pool(
            new String[] {"always", "on-failure", "no"},
            new String[] {"false", "true", "yes", "sometimes", "Always", ""});
    private static final Pool CONDITIONS =
            new Pool(new String[] {"started", "healthy", "completed"}, new String[] {"bogus", "", "Healthy"});
    private static final Pool SIGNALS = new Pool(
            new String[] {"TERM", "SIGTERM", "term", "9", "64", "sigkill", "35"},
            new String[] {"0", "65", "SIGFOO", "SIG", "", "1000"});
    private static final Pool PORTS = new Pool(
            new String[] {"auto", "AUTO", "8080", "8081", "65535", " 22 ", "${UNSET:-9000}"},
            new String[] {"0", "65536", "-1", "${PORT}", "80.5"});
    private static final Pool ADDRESSES = new Pool(
            new String[] {"127.0.0.1:8080", "[::1]:80", "localhost:0", "127.0.0.1:${PORT}", "${UNSET:-127.0.0.1:1}"},
            new String[] {":80", "host:", "a:b:c", "127.0.0.1:99999", "h o:1", "[]:1", "[::1:1", "x/y:1"});
    private static final Pool URLS = new Pool(
            new String[] {"http://127.0.0.1:${PORT}/health", "https://x", " http://a ", "HTTP://A"},
            new String[] {"ftp://x", "localhost:80", ""});
    private static final Pool COMMANDS = new Pool(
            new String[] {
                "sleep 1", "exec sleep 1", "echo $$HOME", "exit 1", "a | b", "java -jar x.jar --port ${PORT}", "cd /tmp"
            },
            new String[] {"", "   ", "${UNSET}", "\t", "exec"});
    private static final Pool BOOLEANS = new Pool(
            new String[] {"true", "false", "TRUE", "False"}, new String[] {"yes", "no", "on", "y", "1", "0", "maybe"});
    private static final Pool PATHS =
            new Pool(new String[] {".", "./api", "/tmp", "sub", "..", "${HOME}", "~"}, new String[] {"a\u0000b", ""});
    private static final Pool ENV_FILES = new Pool(
            new String[] {".env", "/dev/null", "${UNSET:-.}/.env"},
            new String[] {"bad.env", "missing.env", "${HOME:-.}/../.env", "sub", "${UNSET}", ""});
    private static final Pool TOKENS =
            new Pool(new String[] {"${TOKEN}", "0123456789abcdefghijklmnop"}, new String[] {"short", "${UNSET}", ""});
    private static final Pool ROUTE_PATHS =
            new Pool(new String[] {"/", "/api", "//", "/${UNSET:-x}"}, new String[] {"api", ""});
    private static final String[] INTERPOLATIONS_VALID = {
        "${TOKEN}",
        "${UNSET:-d}",
        "${UNSET:-${TOKEN}}",
        "$$",
        "$${X}",
        "${PORT}",
        "${PORT:-80}",
        "${EMPTY:-x}",
        "${NESTED}",
        "$",
        "}",
        "${DROVER_REPLICA}",
        "${TOKEN:-}",
        "plain"
    };
    private static final String[] INTERPOLATIONS = {
        "${TOKEN}",
        "${UNSET}",
        "${UNSET:-d}",
        "${UNSET:-${TOKEN}}",
        "$$",
        "${",
        "${}",
        "${1A}",
        "${A:-${B:-${C}}}",
        "$${X}",
        "${PORT}",
        "${PORT:-80}",
        "${EMPTY:-x}",
        "${NESTED}",
        "$",
        "}",
        "${DROVER_REPLICA}",
        "${TOKEN:-}",
        "${UNSET:-${UNSET:-${UNSET}}}",
        "${ :-x}"
    };

    private final FuzzedDataProvider data;
    /** Only values the loader should accept (a config may still fail as a whole: cycles, shared ports). */
    private final boolean clean;

    private final List<String> anchors = new ArrayList<>();
    private int nodes;

    private FuzzedConfigs(FuzzedDataProvider data) {
        this.data = data;
        this.clean = data.consumeBoolean();
    }

    /** A YAML document shaped like a config, with values chosen by the fuzzer's bytes. */
    static String generate(FuzzedDataProvider data) {
        return new FuzzedConfigs(data).document();
    }

    /** True once in {@code n} times, never in clean mode. */
    private boolean odd(int n) {
        return !clean && data.consumeInt(0, n - 1) == 0;
    }

    private String document() {
        Map<String, Object> root = new LinkedHashMap<>();
        if (data.consumeInt(0, 4) == 0) {
            anchors.add("common");
            Map<String, Object> common = new LinkedHashMap<>();
            fillProcess(common, 3, false);
            root.put("x-common", new Anchored("common", common));
        }
        int topKeys = data.consumeInt(0, 4);
        for (int i = 0; i < topKeys; i++) {
            String key = data.pickValue(TOP_KEYS);
            boolean skip = key.equals("processes")
                    || (key.equals("x-common") && !anchors.isEmpty())
                    || (clean && (key.equals("proccesses") || key.equals("unknown") || key.equals("x-common")));
            if (!skip) {
                root.put(key, topValue(key));
            }
        }
        if (!odd(16)) {
            root.put("processes", processes());
        }
        StringBuilder out = new StringBuilder();
        writeMap(out, root, 0);
        return out.toString();
    }

    private Object topValue(String key) {
        return switch (key) {
            case "version" -> clean ? new Raw("1") : scalar(INTEGERS);
            case "env" -> envMap();
            case "env_file" -> data.consumeBoolean() ? scalar(ENV_FILES) : list(() -> scalar(ENV_FILES), 3);
            case "log_dir" -> scalar(PATHS);
            case "routes" -> list(this::route, 3);
            case "proxy" -> map("listen", scalar(ADDRESSES));
            case "api" -> api();
            default -> anyValue(2);
        };
    }

    private Map<String, Object> processes() {
        Map<String, Object> processes = new LinkedHashMap<>();
        int count = data.consumeInt(1, 4);
        for (int i = 0; i < count; i++) {
            String name = odd(10) ? data.consumeString(8) : name();
            Map<String, Object> process = new LinkedHashMap<>();
            fillProcess(process, 6, true);
            if (!anchors.isEmpty() && data.consumeInt(0, 2) == 0) {
                process.put("<<", new Raw("*" + data.pickValue(anchors)));
            }
            processes.put(name, odd(20) ? anyValue(1) : process);
        }
        return processes;
    }

    private String name() {
        return pick(NAMES);
    }

    private void fillProcess(Map<String, Object> process, int maxKeys, boolean command) {
        if (command && !odd(10)) {
            process.put("command", command());
        }
        int keys = data.consumeInt(0, maxKeys);
        for (int i = 0; i < keys; i++) {
            String key = data.pickValue(PROCESS_KEYS);
            if (!(clean && (key.equals("comand") || key.equals("restrat") || key.equals("<<")))) {
                process.put(key, processValue(key));
            }
        }
    }

    private Object processValue(String key) {
        if (odd(16)) {
            return anyValue(2); // the wrong type now and then
        }
        return switch (key) {
            case "command" -> command();
            case "cwd" -> scalar(PATHS);
            case "env" -> envMap();
            case "port" -> scalar(PORTS);
            case "replicas", "max_restarts" -> scalar(INTEGERS);
            case "depends_on" -> dependsOn();
            case "restart" -> data.consumeBoolean() ? new Raw(pick(RESTARTS)) : scalar(RESTARTS);
            case "restart_window", "stop_timeout", "start_delay" -> scalar(DURATIONS);
            case "output" -> scalar(OUTPUTS);
            case "umask" -> scalar(UMASKS);
            case "backoff" ->
                someOf(
                        keys("initial", "max", "multiplier", "reset_after", "maximum"),
                        k -> k.equals("multiplier") ? scalar(NUMBERS) : scalar(DURATIONS));
            case "stop_signal" -> scalar(SIGNALS);
            case "readiness", "liveness" -> probe();
            case "limits" -> someOf(keys("memory", "cpu", "mem"), k -> k.equals("cpu") ? scalar(CPUS) : scalar(SIZES));
            case "log" ->
                someOf(keys("max_size", "keep", "timestamps", "rotate"), k -> switch (k) {
                    case "max_size" -> scalar(SIZES);
                    case "keep" -> scalar(INTEGERS);
                    default -> new Raw(pick(BOOLEANS));
                });
            case "enabled", "notify" -> new Raw(pick(BOOLEANS));
            case "watchdog" -> scalar(DURATIONS);
            case "<<" -> anchors.isEmpty() ? anyValue(1) : new Raw("*" + data.pickValue(anchors));
            default -> anyValue(2);
        };
    }

    /** Keys for a map: in clean mode without the last one, which is always a misspelling. */
    private String[] keys(String... keys) {
        return clean ? java.util.Arrays.copyOf(keys, keys.length - 1) : keys;
    }

    private Object command() {
        return switch (data.consumeInt(0, 5)) {
            case 0 -> list(() -> odd(8) ? anyValue(1) : scalar(COMMANDS), clean ? 1 : 0, 4);
            case 1 -> clean ? scalar(COMMANDS) : new Raw("[]");
            default -> scalar(COMMANDS);
        };
    }

    private Object dependsOn() {
        return switch (data.consumeInt(0, 3)) {
            case 0 -> list(() -> scalar(NAMES), 0, 3);
            case 1 -> someOf(names(), k -> scalar(CONDITIONS));
            case 2 -> someOf(names(), k -> map("condition", scalar(CONDITIONS)));
            default -> someOf(names(), k -> new Raw(""));
        };
    }

    private String[] names() {
        return clean ? NAMES.valid() : concat(NAMES.valid(), NAMES.odd());
    }

    private Object probe() {
        Map<String, Object> probe = new LinkedHashMap<>();
        if (clean) {
            String check = data.pickValue(new String[] {"exec", "http", "tcp"});
            probe.put(
                    check,
                    switch (check) {
                        case "exec" -> command();
                        case "http" -> scalar(URLS);
                        default -> scalar(ADDRESSES);
                    });
        }
        probe.putAll(someOf(
                keys(
                        "exec",
                        "http",
                        "tcp",
                        "interval",
                        "timeout",
                        "initial_delay",
                        "failure_threshold",
                        "success_threshold",
                        "htp"),
                k -> switch (k) {
                    case "exec" -> command();
                    case "http" -> scalar(URLS);
                    case "tcp" -> scalar(ADDRESSES);
                    case "interval", "timeout", "initial_delay" -> scalar(DURATIONS);
                    case "failure_threshold", "success_threshold" -> scalar(INTEGERS);
                    default -> anyValue(1);
                }));
        return probe;
    }

    private Object route() {
        Map<String, Object> route = new LinkedHashMap<>();
        if (clean) {
            route.put("process", scalar(NAMES));
        }
        route.putAll(someOf(keys("host", "path", "process", "port"), k -> switch (k) {
            case "path" -> scalar(ROUTE_PATHS);
            case "process" -> scalar(NAMES);
            default -> scalar(new Pool(new String[] {"example.test", "  "}, new String[] {""}));
        }));
        return route;
    }

    private Object api() {
        Map<String, Object> api =
                someOf(keys("listen", "token", "tls"), k -> k.equals("token") ? scalar(TOKENS) : scalar(ADDRESSES));
        if (clean && api.containsKey("listen")) {
            api.put("token", scalar(TOKENS));
        }
        return api;
    }

    private Object envMap() {
        Map<String, Object> env = new LinkedHashMap<>();
        int count = data.consumeInt(0, 3);
        for (int i = 0; i < count; i++) {
            String key = odd(2)
                    ? data.consumeString(6)
                    : data.pickValue(new String[] {"A", "LOG_LEVEL", "PORT", "1X", "", "_"});
            env.put(key, odd(6) ? anyValue(1) : scalar(new Pool(INTERPOLATIONS_VALID, INTERPOLATIONS)));
        }
        return env;
    }

    /** A map with some of {@code keys}, each valued by {@code value}. */
    private Map<String, Object> someOf(String[] keys, java.util.function.Function<String, Object> value) {
        Map<String, Object> map = new LinkedHashMap<>();
        int count = data.consumeInt(0, Math.min(4, keys.length));
        for (int i = 0; i < count; i++) {
            String key = data.pickValue(keys);
            map.put(key, value.apply(key));
        }
        return map;
    }

    private static Map<String, Object> map(String key, Object value) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put(key, value);
        return map;
    }

    private List<Object> list(java.util.function.Supplier<Object> item, int min, int max) {
        List<Object> items = new ArrayList<>();
        int count = data.consumeInt(min, max);
        for (int i = 0; i < count; i++) {
            items.add(item.get());
        }
        return items;
    }

    private List<Object> list(java.util.function.Supplier<Object> item, int max) {
        return list(item, 0, max);
    }

    /** Any value at all: a scalar of any kind, a list, a map, null, or an alias. */
    private Object anyValue(int depth) {
        if (++nodes > 400) {
            return new Raw("x");
        }
        int choice = data.consumeInt(0, depth > 0 ? 7 : 4);
        return switch (choice) {
            case 0 -> new Raw("");
            case 1 -> new Raw(data.pickValue(concat(NUMBERS.valid(), NUMBERS.odd())));
            case 2 -> scalar(new Pool(INTERPOLATIONS, INTERPOLATIONS));
            case 3, 4 -> quoted(data.consumeString(24));
            case 5 -> anchors.isEmpty() ? new Raw("~") : new Raw("*" + data.pickValue(anchors));
            case 6 -> list(() -> anyValue(depth - 1), 3);
            default -> someOf(new String[] {"a", "b", "command", "<<", "x"}, k -> anyValue(depth - 1));
        };
    }

    /** A valid value, or in odd mode now and then an odd one. */
    private String pick(Pool pool) {
        return clean || pool.odd().length == 0 || data.consumeInt(0, 3) != 0
                ? data.pickValue(pool.valid())
                : data.pickValue(pool.odd());
    }

    /** A pool value, sometimes with a variable reference or free text around it, in one of YAML's styles. */
    private Raw scalar(Pool pool) {
        nodes++;
        String text = clean
                ? pick(pool)
                : switch (data.consumeInt(0, 9)) {
                    case 0 -> data.consumeString(16);
                    case 1 -> pick(pool) + data.pickValue(INTERPOLATIONS);
                    case 2 -> data.pickValue(INTERPOLATIONS) + pick(pool);
                    default -> pick(pool);
                };
        return switch (data.consumeInt(0, 3)) {
            case 0 -> plain(text);
            case 1 -> new Raw("'" + text.replace("'", "''") + "'");
            default -> quoted(text);
        };
    }

    private static String[] concat(String[] a, String[] b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    /** Written as is when YAML would read it back as the same text, else double-quoted. */
    private static Raw plain(String text) {
        boolean safe = !text.isEmpty()
                && text.chars().allMatch(c -> c > ' ' && c < 127 && "#:{}[],&*!|>'\"%@`".indexOf(c) < 0)
                && "-?".indexOf(text.charAt(0)) < 0;
        return safe ? new Raw(text) : quoted(text);
    }

    private static Raw quoted(String text) {
        StringBuilder out = new StringBuilder("\"");
        text.codePoints().forEach(c -> {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20
                            || c == 0x7f
                            || (c >= 0x80 && c <= 0x9f)
                            || c == 0xfeff
                            || (c >= 0xd800 && c <= 0xdfff)
                            || c == 0xfffe
                            || c == 0xffff) {
                        out.append(String.format("\\u%04x", c));
                    } else {
                        out.appendCodePoint(c);
                    }
                }
            }
        });
        return new Raw(out.append('"').toString());
    }

    private static String key(String key) {
        return key.equals("<<") ? key : plain(key).yaml();
    }

    private void writeMap(StringBuilder out, Map<String, Object> map, int indent) {
        if (map.isEmpty()) {
            out.append(" {}\n");
            return;
        }
        if (indent > 0) {
            out.append('\n');
        }
        for (Map.Entry<String, Object> entry : map.entrySet()) {
            out.append(" ".repeat(indent)).append(key(entry.getKey())).append(':');
            writeValue(out, entry.getValue(), indent + 2);
        }
    }

    @SuppressWarnings("unchecked")
    private void writeValue(StringBuilder out, Object value, int indent) {
        switch (value) {
            case Raw raw ->
                out.append(raw.yaml().isEmpty() ? "" : " " + raw.yaml()).append('\n');
            case Anchored anchored -> {
                out.append(" &").append(anchored.name());
                writeValue(out, anchored.value(), indent);
            }
            case Map<?, ?> map
            when data.consumeInt(0, 3) == 0 -> out.append(' ').append(flow(map)).append('\n');
            case Map<?, ?> map -> writeMap(out, (Map<String, Object>) map, indent);
            case List<?> list
            when list.isEmpty() || data.consumeBoolean() ->
                out.append(' ').append(flow(list)).append('\n');
            case List<?> list -> {
                out.append('\n');
                for (Object item : list) {
                    out.append(" ".repeat(indent)).append('-');
                    writeValue(out, item, indent + 2);
                }
            }
            default -> throw new IllegalArgumentException("not a YAML value: " + value);
        }
    }

    /** A collection in flow style: {@code {a: 1, b: [x, y]}}. */
    private static String flow(Object value) {
        return switch (value) {
            case Raw raw -> raw.yaml().isEmpty() ? "null" : raw.yaml();
            case Anchored anchored -> "&" + anchored.name() + " " + flow(anchored.value());
            case Map<?, ?> map -> {
                List<String> entries = new ArrayList<>();
                map.forEach((k, v) -> entries.add(key((String) k) + ": " + flow(v)));
                yield "{" + String.join(", ", entries) + "}";
            }
            case List<?> list -> {
                List<String> items = new ArrayList<>();
                list.forEach(item -> items.add(flow(item)));
                yield "[" + String.join(", ", items) + "]";
            }
            default -> throw new IllegalArgumentException("not a YAML value: " + value);
        };
    }
}
