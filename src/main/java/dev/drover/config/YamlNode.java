package dev.drover.config;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * A parsed YAML value that remembers where it starts in the file, so that every later step can
 * point the user at the exact line and column of a problem (Jackson's JsonNode forgets this).
 */
sealed interface YamlNode {

    Position position();

    /** How the value reads in an error message: "a map", "a list", {@code string "abc"}. */
    String describe();

    /**
     * A 1-based line and column; {@link #UNKNOWN} is 0:0. {@code file} is null in the file being
     * loaded, and names the override file a value came from once files are merged ({@link YamlMerge}).
     */
    record Position(int line, int column, java.nio.file.Path file) {
        static final Position UNKNOWN = new Position(0, 0);

        Position(int line, int column) {
            this(line, column, null);
        }
    }

    /** The type YAML's own rules gave a scalar; the binder still converts by text where sensible. */
    enum Kind {
        STRING,
        INTEGER,
        FLOAT,
        BOOLEAN,
        NULL
    }

    /** A single value, kept as the text the user wrote so {@code 010} or {@code yes} survive as typed. */
    record Scalar(String text, Kind kind, Position position) implements YamlNode {

        private static final Set<String> TRUE_WORDS = Set.of("true", "yes", "on", "y");

        boolean isNull() {
            return kind == Kind.NULL;
        }

        /** The YAML 1.1 truth value of a BOOLEAN scalar ({@code yes}, {@code on} and so on). */
        boolean booleanValue() {
            return TRUE_WORDS.contains(text.toLowerCase(Locale.ROOT));
        }

        @Override
        public String describe() {
            String shown = text.length() > 40 ? text.substring(0, 37) + "..." : text;
            return switch (kind) {
                case STRING -> "string \"" + shown + "\"";
                case INTEGER, FLOAT -> "number " + shown;
                case BOOLEAN -> "boolean " + shown;
                case NULL -> "nothing (null)";
            };
        }
    }

    /** One key of a map, with the key's own position (unknown-key errors point there). */
    record Entry(String key, Position keyPosition, YamlNode value) {}

    /** A map, keys in file order. */
    record Mapping(List<Entry> entries, Position position) implements YamlNode {

        public Mapping {
            entries = List.copyOf(entries);
        }

        Optional<Entry> entry(String key) {
            return entries.stream().filter(e -> e.key().equals(key)).findFirst();
        }

        /** The value of a key, or empty when the key is absent. */
        Optional<YamlNode> get(String key) {
            return entry(key).map(Entry::value);
        }

        Mapping without(Predicate<String> dropKey) {
            return new Mapping(
                    entries.stream().filter(e -> !dropKey.test(e.key())).toList(), position);
        }

        @Override
        public String describe() {
            return "a map";
        }
    }

    /** A list. */
    record Sequence(List<YamlNode> items, Position position) implements YamlNode {

        public Sequence {
            items = List.copyOf(items);
        }

        @Override
        public String describe() {
            return "a list";
        }
    }

    /** Follows map keys (Strings) and list indexes (Integers) from this node. */
    default Optional<YamlNode> find(Object... path) {
        YamlNode node = this;
        for (Object step : path) {
            Optional<YamlNode> next = switch (node) {
                case Mapping m when step instanceof String key -> m.get(key);
                case Sequence s
                when step instanceof Integer i && i >= 0 && i < s.items().size() ->
                    Optional.of(s.items().get(i));
                default -> Optional.empty();
            };
            if (next.isEmpty()) {
                return Optional.empty();
            }
            node = next.get();
        }
        return Optional.of(node);
    }
}
