package dev.drover.config;

import dev.drover.config.YamlNode.Entry;
import dev.drover.config.YamlNode.Position;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The known keys of one YAML map, read through a {@link NodeReader} with their key paths. */
final class Fields {

    private final NodeReader reader;
    private final String path;
    private final Map<String, Entry> entries;

    Fields(NodeReader reader, String path, Map<String, Entry> entries) {
        this.reader = reader;
        this.path = path;
        this.entries = entries;
    }

    static Fields empty(NodeReader reader, String path) {
        return new Fields(reader, path, Map.of());
    }

    NodeReader reader() {
        return reader;
    }

    /** The key path of this map's key, like {@code processes.api.port}. */
    String path(String key) {
        return KeyPaths.child(path, key);
    }

    /** The key's value, empty when the key is absent or has no value. */
    Optional<YamlNode> node(String key) {
        Entry entry = entries.get(key);
        return entry == null || NodeReader.isAbsent(entry.value()) ? Optional.empty() : Optional.of(entry.value());
    }

    Optional<Position> keyPosition(String key) {
        return Optional.ofNullable(entries.get(key)).map(Entry::keyPosition);
    }

    Optional<String> text(String key) {
        return node(key).flatMap(n -> reader.text(n, path(key)));
    }

    Optional<Integer> integer(String key, int min) {
        return node(key).flatMap(n -> reader.integer(n, path(key), min));
    }

    Optional<Boolean> bool(String key) {
        return node(key).flatMap(n -> reader.bool(n, path(key)));
    }

    Optional<Duration> duration(String key) {
        return node(key).flatMap(n -> reader.duration(n, path(key)));
    }

    /** A duration that must be longer than zero (an interval of 0 would spin). */
    Optional<Duration> positiveDuration(String key) {
        return duration(key).filter(d -> {
            if (d.isZero()) {
                reader.error(node(key).orElseThrow(), path(key), "must be longer than 0");
                return false;
            }
            return true;
        });
    }

    /** A size that must be larger than zero. */
    Optional<Long> positiveSize(String key) {
        return node(key).flatMap(n -> reader.size(n, path(key))).filter(size -> {
            if (size <= 0) {
                reader.error(node(key).orElseThrow(), path(key), "must be larger than 0");
                return false;
            }
            return true;
        });
    }

    Optional<Fields> fields(String key, List<String> known) {
        return node(key).flatMap(n -> reader.fields(n, path(key), known));
    }

    Map<String, String> stringMap(String key) {
        return node(key).map(n -> reader.stringMap(n, path(key))).orElse(Map.of());
    }
}
