package dev.drover.config;

import dev.drover.config.YamlNode.Mapping;
import dev.drover.config.YamlNode.Scalar;
import dev.drover.config.YamlNode.Sequence;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Reads a command (of a process or an exec probe) written as a list or as one string. */
final class CommandBinder {

    private CommandBinder() {}

    /** A YAML list becomes an argv as is; a string goes through {@link Command#fromString}. */
    static Optional<Command> bind(YamlNode node, String path, NodeReader reader) {
        return switch (node) {
            case Sequence list -> argv(list, path, reader);
            case Scalar s
            when s.text().isBlank() -> {
                reader.error(s, path, "missing command");
                yield Optional.empty();
            }
            case Scalar s -> Optional.of(Command.fromString(s.text()));
            case Mapping m -> {
                reader.error(m, path, "expected a string or a list, got a map");
                yield Optional.empty();
            }
        };
    }

    private static Optional<Command> argv(Sequence list, String path, NodeReader reader) {
        List<String> argv = new ArrayList<>();
        boolean complete = true;
        for (int i = 0; i < list.items().size(); i++) {
            YamlNode item = list.items().get(i);
            String itemPath = KeyPaths.index(path, i);
            if (NodeReader.isAbsent(item)) {
                reader.error(item, itemPath, "expected a string, got " + item.describe());
                complete = false;
                continue;
            }
            Optional<String> word = reader.text(item, itemPath);
            word.ifPresent(argv::add);
            complete &= word.isPresent();
        }
        if (!complete) {
            return Optional.empty();
        }
        if (argv.isEmpty() || argv.getFirst().isBlank()) {
            reader.error(list, path, "missing command");
            return Optional.empty();
        }
        return Optional.of(new Command.Exec(argv));
    }
}
