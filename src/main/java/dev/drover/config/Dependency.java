package dev.drover.config;

import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/** One entry of {@code depends_on}: the process waited for and what it must reach first. */
public record Dependency(String process, Condition condition) {

    public Dependency {
        Objects.requireNonNull(process, "process");
        Objects.requireNonNull(condition, "condition");
    }

    /** What the dependency must reach before the dependent starts. */
    public enum Condition {
        /** Its process has been started. */
        STARTED,
        /** Its readiness probe passes. */
        HEALTHY,
        /** It has exited successfully (a one-shot such as a migration). */
        COMPLETED;

        /** The spelling used in YAML. */
        public String yamlName() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Optional<Condition> fromYaml(String text) {
            return Arrays.stream(values())
                    .filter(c -> c.yamlName().equals(text.strip()))
                    .findFirst();
        }
    }
}
