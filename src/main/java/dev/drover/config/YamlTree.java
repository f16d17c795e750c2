package dev.drover.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import dev.drover.config.YamlNode.Entry;
import dev.drover.config.YamlNode.Kind;
import dev.drover.config.YamlNode.Mapping;
import dev.drover.config.YamlNode.Position;
import dev.drover.config.YamlNode.Scalar;
import dev.drover.config.YamlNode.Sequence;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Turns YAML text into a {@link YamlNode} tree with positions, using Jackson's streaming parser.
 *
 * <p>Duplicate keys are errors (YAML libraries usually keep the last one silently). Anchors and
 * aliases on maps and lists are resolved, and {@code <<: *alias} merges a map, so shared settings
 * can be written once; explicit keys win over merged ones.
 */
final class YamlTree {

    // A key with nothing after it must read as null (absent), not as an empty string; the
    // builder, unlike `new YAMLFactory()`, leaves this off.
    private static final YAMLFactory FACTORY = YAMLFactory.builder()
            .enable(YAMLParser.Feature.EMPTY_STRING_AS_NULL)
            .build();
    private static final String MERGE_KEY = "<<";
    // A config is a few levels deep; these bounds only stop hostile or garbled input from
    // exhausting the stack or, through nested aliases, memory.
    private static final int MAX_DEPTH = 64;
    private static final int MAX_EXPANDED_NODES = 100_000;
    private static final Pattern SNAKE_MARK = Pattern.compile("line (\\d+), column (\\d+)");

    private final YAMLParser parser;
    private final ErrorCollector errors;
    private final Map<String, YamlNode> anchors = new HashMap<>();
    private final Map<YamlNode, Integer> expandedSizes = new IdentityHashMap<>();

    private YamlTree(YAMLParser parser, ErrorCollector errors) {
        this.parser = parser;
        this.errors = errors;
    }

    /**
     * Parses one YAML document. Returns empty when the text holds no document, or when it is
     * malformed (the error is then in {@code errors}); duplicate keys are reported but the tree
     * is still returned so later steps can find more problems.
     */
    static Optional<YamlNode> parse(String yaml, ErrorCollector errors) {
        try (YAMLParser parser = FACTORY.createParser(yaml)) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                return Optional.empty();
            }
            YamlNode root = new YamlTree(parser, errors).value(first, "", 0);
            if (parser.nextToken() != null) {
                errors.add(
                        position(parser.currentTokenLocation()),
                        "",
                        "the file holds more than one YAML document; drover reads exactly one");
            }
            return Optional.of(root);
        } catch (StopParsing e) {
            errors.add(e.position, "", e.getMessage());
        } catch (JsonProcessingException e) {
            errors.add(parseErrorPosition(e), "", "invalid YAML: " + describeParseError(e.getOriginalMessage()));
        } catch (IOException | RuntimeException e) {
            // SnakeYAML signals some malformed input with unchecked exceptions; a bad file must
            // become a config error, never a crash.
            errors.add(Position.UNKNOWN, "", "invalid YAML: " + e.getMessage());
        }
        return Optional.empty();
    }

    private YamlNode value(JsonToken token, String path, int depth) throws IOException {
        Position at = position(parser.currentTokenLocation());
        if (depth > MAX_DEPTH) {
            throw new StopParsing(at, "values are nested more than " + MAX_DEPTH + " levels deep");
        }
        String anchor = parser.getObjectId();
        YamlNode node = switch (token) {
            case START_OBJECT -> mapping(at, path, depth);
            case START_ARRAY -> sequence(at, path, depth);
            case VALUE_STRING ->
                parser.isCurrentAlias()
                        ? alias(parser.getText(), at, path)
                        : new Scalar(parser.getText(), Kind.STRING, at);
            case VALUE_NUMBER_INT -> new Scalar(parser.getText(), Kind.INTEGER, at);
            case VALUE_NUMBER_FLOAT -> new Scalar(parser.getText(), Kind.FLOAT, at);
            case VALUE_TRUE, VALUE_FALSE -> new Scalar(parser.getText(), Kind.BOOLEAN, at);
            case VALUE_NULL -> new Scalar(String.valueOf(parser.getText()), Kind.NULL, at);
            default -> new Scalar(String.valueOf(parser.getText()), Kind.STRING, at); // e.g. !!binary
        };
        if (anchor != null && (token == JsonToken.START_OBJECT || token == JsonToken.START_ARRAY)) {
            anchors.put(anchor, node);
        }
        return node;
    }

    private Mapping mapping(Position at, String path, int depth) throws IOException {
        List<Entry> own = new ArrayList<>();
        Map<Integer, List<Mapping>> mergesBeforeIndex = new LinkedHashMap<>();
        Map<String, Position> seen = new HashMap<>();
        JsonToken token;
        while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
            String key = parser.currentName();
            Position keyAt = position(parser.currentTokenLocation());
            String childPath = KeyPaths.child(path, key);
            YamlNode value = value(next(), childPath, depth + 1);
            if (MERGE_KEY.equals(key)) {
                mergesBeforeIndex
                        .computeIfAbsent(own.size(), i -> new ArrayList<>())
                        .addAll(mergeSources(value, childPath));
                continue;
            }
            Position first = seen.putIfAbsent(key, keyAt);
            if (first != null) {
                errors.add(
                        keyAt, childPath, "duplicate key `" + key + "` (first defined at line " + first.line() + ")");
            } else {
                own.add(new Entry(key, keyAt, value));
            }
        }
        expectEnd(token, JsonToken.END_OBJECT);
        return track(new Mapping(merge(own, mergesBeforeIndex, seen.keySet()), at));
    }

    /** Puts merged entries where the {@code <<} key stood, skipping keys the map sets itself. */
    private static List<Entry> merge(
            List<Entry> own, Map<Integer, List<Mapping>> mergesBeforeIndex, Set<String> ownKeys) {
        if (mergesBeforeIndex.isEmpty()) {
            return own;
        }
        List<Entry> result = new ArrayList<>();
        Set<String> taken = new HashSet<>(ownKeys);
        for (int i = 0; i <= own.size(); i++) {
            for (Mapping source : mergesBeforeIndex.getOrDefault(i, List.of())) {
                for (Entry entry : source.entries()) {
                    if (taken.add(entry.key())) {
                        result.add(entry);
                    }
                }
            }
            if (i < own.size()) {
                result.add(own.get(i));
            }
        }
        return result;
    }

    private List<Mapping> mergeSources(YamlNode value, String path) {
        List<YamlNode> candidates = value instanceof Sequence s ? s.items() : List.of(value);
        List<Mapping> sources = new ArrayList<>();
        for (YamlNode candidate : candidates) {
            if (candidate instanceof Mapping m) {
                sources.add(m);
            } else if (!(candidate instanceof Scalar s && s.isNull())) {
                errors.add(
                        candidate.position(), path, "`<<` merges a map or a list of maps, got " + candidate.describe());
            }
        }
        return sources;
    }

    private Sequence sequence(Position at, String path, int depth) throws IOException {
        List<YamlNode> items = new ArrayList<>();
        JsonToken token;
        while ((token = next()) != JsonToken.END_ARRAY) {
            items.add(value(token, KeyPaths.index(path, items.size()), depth + 1));
        }
        return track(new Sequence(items, at));
    }

    private YamlNode alias(String name, Position at, String path) {
        YamlNode target = anchors.get(name);
        if (target == null) {
            errors.add(
                    at,
                    path,
                    "alias *" + name + " does not name a map or list anchored earlier"
                            + " (anchors on single values are not supported)");
            return new Scalar("", Kind.NULL, at);
        }
        return target;
    }

    /** Counts the nodes a collection stands for once aliases are expanded, and bounds it. */
    private <T extends YamlNode> T track(T node) {
        List<YamlNode> children = switch (node) {
            case Mapping m -> m.entries().stream().map(Entry::value).toList();
            case Sequence s -> s.items();
            case Scalar s -> List.of();
        };
        int size = 1;
        for (YamlNode child : children) {
            size += expandedSizes.getOrDefault(child, 1);
            if (size > MAX_EXPANDED_NODES) {
                throw new StopParsing(
                        node.position(),
                        "the document expands to more than " + MAX_EXPANDED_NODES
                                + " values (aliases nested too deeply?)");
            }
        }
        expandedSizes.put(node, size);
        return node;
    }

    private JsonToken next() throws IOException {
        JsonToken token = parser.nextToken();
        if (token == null) {
            throw new StopParsing(position(parser.currentLocation()), "unexpected end of the document");
        }
        return token;
    }

    private void expectEnd(JsonToken actual, JsonToken expected) throws IOException {
        if (actual != expected) {
            throw new StopParsing(position(parser.currentLocation()), "unexpected end of the document");
        }
    }

    private static Position position(JsonLocation location) {
        if (location == null) {
            return Position.UNKNOWN;
        }
        return new Position(Math.max(location.getLineNr(), 0), Math.max(location.getColumnNr(), 0));
    }

    /** SnakeYAML names the problem mark last in its message; that is where the user must look. */
    private static Position parseErrorPosition(JsonProcessingException e) {
        String message = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
        Matcher marks = SNAKE_MARK.matcher(message);
        Position last = null;
        while (marks.find()) {
            last = new Position(Integer.parseInt(marks.group(1)), Integer.parseInt(marks.group(2)));
        }
        return last != null ? last : position(e.getLocation());
    }

    /**
     * Keeps the prose of a parser message and drops the location lines and source excerpt it
     * embeds, since the error already carries line and column.
     */
    static String describeParseError(String message) {
        if (message == null || message.isBlank()) {
            return "cannot parse the file";
        }
        if (message.startsWith("Expected a field name")) {
            return "keys must be plain values (complex keys like `? [a, b]` are not supported)";
        }
        String prose = message.lines()
                .filter(line -> !line.isBlank() && !line.startsWith(" ") && !line.startsWith("\t"))
                .collect(Collectors.joining(": "));
        if (prose.isEmpty()) {
            return "cannot parse the file";
        }
        if (prose.contains("'\\t'") || prose.contains("\\t(TAB)")) {
            return prose + " (YAML indents with spaces only: replace the tabs on this line with spaces)";
        }
        if (prose.contains("<block end>")
                || prose.contains("mapping values are not allowed here")
                || prose.contains("<block mapping start>")
                || prose.contains("could not find expected ':'")) {
            return prose + " (check the indentation of this line and the one above it: the keys of one map start"
                    + " in the same column, and the keys of a value further right, with spaces)";
        }
        return prose;
    }

    /** Input too deep, too large once aliases expand, or ending early: parsing cannot go on. */
    private static final class StopParsing extends RuntimeException {
        private final Position position;

        StopParsing(Position position, String message) {
            super(message, null, false, false);
            this.position = position;
        }
    }
}
