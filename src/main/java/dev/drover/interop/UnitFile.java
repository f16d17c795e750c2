package dev.drover.interop;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A systemd unit file as sections of ordered settings, and the quoting systemd expects of each
 * kind of value (command lines, environment assignments).
 */
final class UnitFile {
    private final Map<String, List<String[]>> sections = new LinkedHashMap<>();

    UnitFile set(String section, String key, String value) {
        sections.computeIfAbsent(section, s -> new ArrayList<>()).add(new String[] {key, value});
        return this;
    }

    String text(String comment) {
        StringBuilder out = new StringBuilder("# ").append(comment).append('\n');
        sections.forEach((section, settings) -> {
            out.append('\n').append('[').append(section).append("]\n");
            settings.forEach(s -> out.append(s[0]).append('=').append(s[1]).append('\n'));
        });
        return out.toString();
    }

    /**
     * One word of ExecStart=: {@code %} and {@code $} doubled (specifiers, variables) except the
     * given {@code ${NAME}} references, and quoted when it holds whitespace, quotes or backslashes.
     */
    static String execWord(String word, List<String> variables) {
        StringBuilder escaped = new StringBuilder();
        for (int i = 0; i < word.length(); i++) {
            char c = word.charAt(i);
            if (c == '$') {
                boolean kept = false;
                for (String variable : variables) {
                    if (word.startsWith("${" + variable + "}", i)) {
                        kept = true;
                        break;
                    }
                }
                escaped.append(kept ? "$" : "$$");
            } else if (c == '%') {
                escaped.append("%%");
            } else if (c == '\\' || c == '"') {
                escaped.append('\\').append(c);
            } else {
                escaped.append(c);
            }
        }
        boolean quote = word.isEmpty()
                || word.chars()
                        .anyMatch(c -> Character.isWhitespace(c) || c == '"' || c == '\'' || c == '\\' || c == ';');
        return quote ? "\"" + escaped + "\"" : escaped.toString();
    }

    /** A word for {@code sh -c}: single-quoted unless it is plainly safe. */
    static String shellQuote(String word) {
        if (!word.isEmpty() && word.matches("[A-Za-z0-9_./:=@%+,-]+")) {
            return word;
        }
        return "'" + word.replace("'", "'\\''") + "'";
    }

    /** {@code "KEY=value"} for Environment=, with specifiers and C escapes protected. */
    static String environment(String key, String value) {
        String escaped = (key + "=" + value)
                .replace("\\", "\\\\")
                .replace("\"", "\\\"")
                .replace("%", "%%")
                .replace("\n", "\\n");
        return "\"" + escaped + "\"";
    }
}
