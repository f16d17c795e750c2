package dev.drover.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads the dotenv format: {@code KEY=VALUE} lines, an optional {@code export } prefix, {@code #}
 * comments and blank lines; one pair of surrounding single or double quotes is removed. Values
 * are taken literally: no escapes, no variable expansion, no multi-line values.
 */
final class DotEnv {

    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private DotEnv() {}

    /** A line that could not be read, 1-based. */
    record Problem(int line, String key, String message) {}

    /** The variables in file order (a later line wins) and the lines that could not be read. */
    record Parsed(Map<String, String> values, List<Problem> problems) {}

    static Parsed parse(String content) {
        Map<String, String> values = new LinkedHashMap<>();
        List<Problem> problems = new ArrayList<>();
        List<String> lines = content.lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (i == 0 && line.startsWith("\uFEFF")) {
                line = line.substring(1).strip();
            }
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            if (line.startsWith("export ") || line.startsWith("export\t")) {
                line = line.substring("export".length()).strip();
            }
            int equals = line.indexOf('=');
            if (equals < 0) {
                problems.add(new Problem(i + 1, "", "expected KEY=VALUE, got \"" + line + "\""));
                continue;
            }
            String key = line.substring(0, equals).strip();
            if (!NAME.matcher(key).matches()) {
                problems.add(new Problem(
                        i + 1,
                        key,
                        "invalid variable name \"" + key + "\": use letters, digits and _, not starting with a digit"));
                continue;
            }
            String raw = line.substring(equals + 1).strip();
            try {
                values.put(key, value(raw));
            } catch (IllegalArgumentException e) {
                problems.add(new Problem(i + 1, key, e.getMessage()));
            }
        }
        return new Parsed(Collections.unmodifiableMap(values), List.copyOf(problems));
    }

    private static String value(String raw) {
        if (raw.startsWith("\"") || raw.startsWith("'")) {
            char quote = raw.charAt(0);
            int close = raw.indexOf(quote, 1);
            if (close < 0) {
                throw new IllegalArgumentException("missing closing " + quote + " (values cannot span lines)");
            }
            String rest = raw.substring(close + 1).strip();
            if (!rest.isEmpty() && !rest.startsWith("#")) {
                throw new IllegalArgumentException("unexpected text after the closing " + quote + ": \"" + rest + "\"");
            }
            return raw.substring(1, close);
        }
        // An unquoted value ends at a comment, which must be preceded by whitespace so that
        // values like "a#b" (URL fragments, colours) survive.
        for (int i = 1; i < raw.length(); i++) {
            if (raw.charAt(i) == '#' && Character.isWhitespace(raw.charAt(i - 1))) {
                return raw.substring(0, i).strip();
            }
        }
        return raw;
    }
}
