package dev.drover.interop;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The INI dialect supervisord reads (Python's ConfigParser as supervisord configures it):
 * {@code [section]} headers, {@code key = value} or {@code key: value}, whole-line comments
 * starting with {@code ;} or {@code #}, inline comments after whitespace and {@code ;}, and
 * indented continuation lines. Keys are case-insensitive.
 */
final class Ini {
    private Ini() {}

    record Entry(String key, String value, int line) {}

    record Section(String name, Path file, int line, List<Entry> entries) {
        Optional<Entry> entry(String key) {
            return entries.stream().filter(e -> e.key.equals(key)).reduce((first, last) -> last);
        }

        Optional<String> value(String key) {
            return entry(key).map(Entry::value);
        }
    }

    static List<Section> parse(String text, Path file) throws InteropException {
        List<Section> sections = new ArrayList<>();
        List<Entry> entries = null;
        String lastKey = null;
        StringBuilder lastValue = null;
        int lastLine = 0;
        List<String> lines = text.lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            String raw = lines.get(i);
            int number = i + 1;
            String stripped = raw.strip();
            if (stripped.isEmpty() || stripped.startsWith(";") || stripped.startsWith("#")) {
                continue;
            }
            if (Character.isWhitespace(raw.charAt(0)) && lastKey != null) {
                lastValue.append('\n').append(withoutInlineComment(stripped));
                continue;
            }
            if (lastKey != null) {
                entries.add(new Entry(lastKey, lastValue.toString(), lastLine));
                lastKey = null;
            }
            if (stripped.startsWith("[")) {
                int close = stripped.indexOf(']');
                if (close < 0) {
                    throw new InteropException(file + ":" + number + ": a section header without `]`: " + stripped);
                }
                entries = new ArrayList<>();
                sections.add(new Section(stripped.substring(1, close).strip(), file, number, entries));
                continue;
            }
            if (entries == null) {
                throw new InteropException(file + ":" + number + ": `" + stripped
                        + "` comes before any [section]; is this a supervisord file?");
            }
            int equals = stripped.indexOf('=');
            int colon = stripped.indexOf(':');
            int separator = equals < 0 ? colon : colon < 0 ? equals : Math.min(equals, colon);
            if (separator <= 0) {
                throw new InteropException(file + ":" + number + ": expected `key = value`, got `" + stripped + "`");
            }
            lastKey = stripped.substring(0, separator).strip().toLowerCase(Locale.ROOT);
            lastValue = new StringBuilder(
                    withoutInlineComment(stripped.substring(separator + 1).strip()));
            lastLine = number;
        }
        if (lastKey != null) {
            entries.add(new Entry(lastKey, lastValue.toString(), lastLine));
        }
        return sections;
    }

    /** {@code value ; comment} → {@code value}; a {@code ;} not after whitespace is part of the value. */
    private static String withoutInlineComment(String value) {
        for (int i = 1; i < value.length(); i++) {
            if (value.charAt(i) == ';' && Character.isWhitespace(value.charAt(i - 1))) {
                return value.substring(0, i).strip();
            }
        }
        return value.startsWith(";") ? "" : value;
    }
}
