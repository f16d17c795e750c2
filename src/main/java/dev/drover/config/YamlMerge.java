package dev.drover.config;

import dev.drover.config.YamlNode.Entry;
import dev.drover.config.YamlNode.Mapping;
import dev.drover.config.YamlNode.Position;
import dev.drover.config.YamlNode.Scalar;
import dev.drover.config.YamlNode.Sequence;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Merges config files in order, as Compose merges override files: maps merge key by key, all the
 * way down (a later file's value for a key wins); anything else — a list, a scalar, or a map meeting
 * a list or scalar — is replaced whole by the later file's value.
 */
final class YamlMerge {
    private YamlMerge() {}

    /** {@code over} merged onto {@code base}: base's keys in their order, then the keys only {@code over} has. */
    static Mapping merge(Mapping base, Mapping over) {
        List<Entry> entries = new ArrayList<>();
        for (Entry entry : base.entries()) {
            Optional<Entry> later = over.entry(entry.key());
            if (later.isEmpty()) {
                entries.add(entry);
            } else if (entry.value() instanceof Mapping earlier && later.get().value() instanceof Mapping replacing) {
                entries.add(new Entry(entry.key(), entry.keyPosition(), merge(earlier, replacing)));
            } else {
                entries.add(later.get());
            }
        }
        for (Entry entry : over.entries()) {
            if (base.entry(entry.key()).isEmpty()) {
                entries.add(entry);
            }
        }
        return new Mapping(entries, base.position());
    }

    /** The same tree with every position naming {@code file}, so errors in merged values point at their own file. */
    static YamlNode located(YamlNode node, Path file) {
        return switch (node) {
            case Scalar scalar -> new Scalar(scalar.text(), scalar.kind(), in(scalar.position(), file));
            case Sequence sequence ->
                new Sequence(
                        sequence.items().stream()
                                .map(item -> located(item, file))
                                .toList(),
                        in(sequence.position(), file));
            case Mapping mapping ->
                new Mapping(
                        mapping.entries().stream()
                                .map(e -> new Entry(e.key(), in(e.keyPosition(), file), located(e.value(), file)))
                                .toList(),
                        in(mapping.position(), file));
        };
    }

    private static Position in(Position position, Path file) {
        return position == null ? null : new Position(position.line(), position.column(), file);
    }
}
