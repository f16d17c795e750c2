package dev.drover.config;

import dev.drover.config.YamlNode.Position;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Gathers the problems of one load so that the user sees all of them at once. */
final class ErrorCollector {

    private static final Comparator<ConfigError> ORDER = Comparator.comparing(
                    (ConfigError e) -> String.valueOf(e.file()))
            .thenComparingInt(ConfigError::line)
            .thenComparingInt(ConfigError::column);

    private final Path file;
    private final List<ConfigError> errors = new ArrayList<>();
    private final Set<Position> silenced = new HashSet<>();

    ErrorCollector(Path file) {
        this.file = file;
    }

    Path file() {
        return file;
    }

    /** Records a problem in the config file itself. */
    void add(Position at, String key, String message) {
        Position where = at == null ? Position.UNKNOWN : at;
        if (silenced.contains(where)) {
            return;
        }
        errors.add(new ConfigError(
                where.file() == null ? file : where.file(), where.line(), where.column(), key, message));
    }

    /** Records a problem located in another file, such as an env file. */
    void add(ConfigError error) {
        errors.add(error);
    }

    /**
     * Drops later problems at this position: a value whose variable could not be expanded would
     * otherwise also be reported as a bad port, duration and so on, hiding the real cause.
     */
    void silence(Position at) {
        silenced.add(at);
    }

    boolean isEmpty() {
        return errors.isEmpty();
    }

    List<ConfigError> errors() {
        return errors.stream().distinct().sorted(ORDER).toList();
    }

    void throwIfAny() throws ConfigException {
        if (!errors.isEmpty()) {
            throw new ConfigException(errors());
        }
    }
}
