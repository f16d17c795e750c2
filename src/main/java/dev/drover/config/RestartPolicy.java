package dev.drover.config;

import java.util.Arrays;
import java.util.Optional;

/** When a process that exited is started again. */
public enum RestartPolicy {
    /** Whatever the exit status. */
    ALWAYS("always"),
    /** Only after a non-zero exit or death by signal. */
    ON_FAILURE("on-failure"),
    /** Never: a one-shot. */
    NO("no");

    private final String yamlName;

    RestartPolicy(String yamlName) {
        this.yamlName = yamlName;
    }

    /** The spelling used in YAML. */
    public String yamlName() {
        return yamlName;
    }

    public static Optional<RestartPolicy> fromYaml(String text) {
        return Arrays.stream(values())
                .filter(p -> p.yamlName.equals(text.strip()))
                .findFirst();
    }
}
