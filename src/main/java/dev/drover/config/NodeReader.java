package dev.drover.config;

import dev.drover.config.YamlNode.Entry;
import dev.drover.config.YamlNode.Kind;
import dev.drover.config.YamlNode.Mapping;
import dev.drover.config.YamlNode.Scalar;
import dev.drover.config.YamlNode.Sequence;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Converts located YAML values to Java values, reporting a located error for each value of the
 * wrong shape. Every method returns empty (after reporting) rather than throwing, so one bad value
 * never hides the next. A null value (a key with nothing after it) counts as absent.
 *
 * <p>Scalars are converted by their text, so a quoted {@code "8080"} or one produced by
 * {@code ${VAR:-8080}} works where a number is expected.
 */
final class NodeReader {

    private static final Pattern INTEGER = Pattern.compile("[+-]?\\d{1,10}");
    private static final Pattern DECIMAL = Pattern.compile("[+-]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d{1,3})?");

    private final ErrorCollector errors;

    NodeReader(ErrorCollector errors) {
        this.errors = errors;
    }

    ErrorCollector errors() {
        return errors;
    }

    void error(YamlNode at, String path, String message) {
        errors.add(at.position(), path, message);
    }

    static boolean isAbsent(YamlNode node) {
        return node == null || node instanceof Scalar s && s.isNull();
    }

    /** A map's entries by key; each key not in {@code known} is reported, with a suggestion. */
    Optional<Fields> fields(YamlNode node, String path, List<String> known) {
        if (isAbsent(node)) {
            return Optional.of(Fields.empty(this, path));
        }
        if (!(node instanceof Mapping mapping)) {
            error(node, path, "expected a map, got " + node.describe());
            return Optional.empty();
        }
        Map<String, Entry> entries = new LinkedHashMap<>();
        for (Entry entry : mapping.entries()) {
            if (known.contains(entry.key())) {
                entries.put(entry.key(), entry);
            } else {
                errors.add(entry.keyPosition(), KeyPaths.child(path, entry.key()), unknownKey(entry.key(), known));
            }
        }
        return Optional.of(new Fields(this, path, entries));
    }

    static String unknownKey(String key, List<String> known) {
        return "unknown key `" + key + "`"
                + KeySuggestions.closest(key, known)
                        .map(s -> "; did you mean `" + s + "`?")
                        .orElse("; expected one of: " + String.join(", ", known));
    }

    Optional<Mapping> mapping(YamlNode node, String path) {
        if (isAbsent(node)) {
            return Optional.empty();
        }
        if (node instanceof Mapping m) {
            return Optional.of(m);
        }
        error(node, path, "expected a map, got " + node.describe());
        return Optional.empty();
    }

    Optional<List<YamlNode>> list(YamlNode node, String path) {
        if (isAbsent(node)) {
            return Optional.empty();
        }
        if (node instanceof Sequence s) {
            return Optional.of(s.items());
        }
        error(node, path, "expected a list, got " + node.describe());
        return Optional.empty();
    }

    Optional<String> text(YamlNode node, String path) {
        return text(node, path, "a string");
    }

    /** Any non-null scalar as its text; {@code expected} names what a map or list should have been. */
    Optional<String> text(YamlNode node, String path, String expected) {
        if (isAbsent(node)) {
            return Optional.empty();
        }
        if (node instanceof Scalar s) {
            return Optional.of(s.text());
        }
        error(node, path, "expected " + expected + ", got " + node.describe());
        return Optional.empty();
    }

    Optional<Integer> integer(YamlNode node, String path, int min) {
        Optional<String> text = scalarText(node, path, "an integer");
        if (text.isEmpty()) {
            return Optional.empty();
        }
        String digits = text.get().strip();
        long value;
        if (!INTEGER.matcher(digits).matches()
                || (value = Long.parseLong(digits)) > Integer.MAX_VALUE
                || value < Integer.MIN_VALUE) {
            error(node, path, "expected an integer, got " + node.describe());
            return Optional.empty();
        }
        if (value < min) {
            error(node, path, "must be at least " + min + ", got " + value);
            return Optional.empty();
        }
        return Optional.of((int) value);
    }

    /** A finite decimal number; a trailing {@code %} is allowed when {@code percent} is set. */
    Optional<Double> number(YamlNode node, String path, boolean percent) {
        String expected = percent ? "a number or a percentage like 90%" : "a number";
        Optional<String> text = scalarText(node, path, expected);
        if (text.isEmpty()) {
            return Optional.empty();
        }
        String digits = text.get().strip();
        if (percent && digits.endsWith("%")) {
            digits = digits.substring(0, digits.length() - 1).strip();
        }
        if (!DECIMAL.matcher(digits).matches()) {
            error(node, path, "expected " + expected + ", got " + node.describe());
            return Optional.empty();
        }
        double value = Double.parseDouble(digits);
        if (!Double.isFinite(value)) {
            // 1e999 parses as Infinity: a multiplier or a limit nothing can reach.
            error(node, path, "number " + digits + " is too large");
            return Optional.empty();
        }
        return Optional.of(value);
    }

    Optional<Boolean> bool(YamlNode node, String path) {
        if (isAbsent(node)) {
            return Optional.empty();
        }
        if (node instanceof Scalar s) {
            if (s.kind() == Kind.BOOLEAN) {
                return Optional.of(s.booleanValue());
            }
            String text = s.text().strip().toLowerCase(Locale.ROOT);
            if (text.equals("true") || text.equals("false")) {
                return Optional.of(text.equals("true"));
            }
        }
        error(node, path, "expected a boolean (true or false), got " + node.describe());
        return Optional.empty();
    }

    Optional<Duration> duration(YamlNode node, String path) {
        Optional<String> text = scalarText(node, path, "a duration like 500ms, 10s, 5m");
        try {
            return text.map(Durations::parse);
        } catch (IllegalArgumentException e) {
            error(node, path, e.getMessage());
            return Optional.empty();
        }
    }

    Optional<Long> size(YamlNode node, String path) {
        Optional<String> text = scalarText(node, path, "a size like 512KB, 10MB, 1GB");
        try {
            return text.map(Sizes::parse);
        } catch (IllegalArgumentException e) {
            error(node, path, e.getMessage());
            return Optional.empty();
        }
    }

    /** A map of strings such as {@code env}; numbers and booleans become their text, null "". */
    Map<String, String> stringMap(YamlNode node, String path) {
        Map<String, String> values = new LinkedHashMap<>();
        mapping(node, path).ifPresent(mapping -> {
            for (Entry entry : mapping.entries()) {
                YamlNode value = entry.value();
                if (isAbsent(value)) {
                    values.put(entry.key(), "");
                } else {
                    text(value, KeyPaths.child(path, entry.key())).ifPresent(text -> values.put(entry.key(), text));
                }
            }
        });
        return values;
    }

    private Optional<String> scalarText(YamlNode node, String path, String expected) {
        if (isAbsent(node)) {
            return Optional.empty();
        }
        if (node instanceof Scalar s && s.kind() != Kind.BOOLEAN) {
            return Optional.of(s.text());
        }
        error(node, path, "expected " + expected + ", got " + node.describe());
        return Optional.empty();
    }
}
