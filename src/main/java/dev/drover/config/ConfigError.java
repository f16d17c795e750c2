package dev.drover.config;

import java.nio.file.Path;
import java.util.Objects;

/**
 * One problem in a configuration file, located precisely enough for an editor to jump to it.
 *
 * @param file the file the problem is in (the config file, or an env file it names)
 * @param line 1-based line, or 0 when unknown (e.g. the file is missing)
 * @param column 1-based column, or 0 when unknown
 * @param key dotted path of the offending key, like {@code processes.api.restart} or
 *     {@code routes[0].path}; empty for problems of the whole file
 * @param message what is wrong and what was expected
 */
public record ConfigError(Path file, int line, int column, String key, String message) {

    public ConfigError {
        Objects.requireNonNull(message, "message");
        key = key == null ? "" : key;
        line = Math.max(line, 0);
        column = Math.max(column, 0);
    }

    /** {@code file:line:column: key: message}; unknown positions and an empty key are left out. */
    @Override
    public String toString() {
        var text = new StringBuilder(String.valueOf(file));
        if (line > 0) {
            text.append(':').append(line);
            if (column > 0) {
                text.append(':').append(column);
            }
        }
        text.append(": ");
        if (!key.isEmpty()) {
            text.append(key).append(": ");
        }
        return text.append(message).toString();
    }
}
