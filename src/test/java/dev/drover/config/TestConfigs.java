package dev.drover.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Shared helpers: configs parsed as if from {@code /project/drover.yaml}. */
final class TestConfigs {

    static final Path FILE = Path.of("/project/drover.yaml");
    static final Path BASE_DIR = Path.of("/project");

    private TestConfigs() {}

    static DroverConfig parse(String yaml) throws ConfigException {
        return ConfigLoader.parse(yaml, FILE, Map.of());
    }

    static DroverConfig parse(String yaml, Map<String, String> environment) throws ConfigException {
        return ConfigLoader.parse(yaml, FILE, environment);
    }

    static List<ConfigError> errors(String yaml) {
        return errors(yaml, Map.of());
    }

    static List<ConfigError> errors(String yaml, Map<String, String> environment) {
        ConfigException failure =
                catchThrowableOfType(ConfigException.class, () -> ConfigLoader.parse(yaml, FILE, environment));
        assertThat(failure).as("expected the config to be rejected").isNotNull();
        return failure.errors();
    }

    /** The single error the config produces (fails when there are none or several). */
    static ConfigError onlyError(String yaml) {
        List<ConfigError> errors = errors(yaml);
        assertThat(errors).hasSize(1);
        return errors.getFirst();
    }

    static ConfigError error(int line, int column, String key, String message) {
        return new ConfigError(FILE, line, column, key, message);
    }
}
