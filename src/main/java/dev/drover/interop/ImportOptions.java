package dev.drover.interop;

import java.util.Map;
import java.util.Objects;

/**
 * @param environmentName PM2's {@code --env NAME}: also apply {@code env_NAME}; null for none
 * @param environment the variables drover's interpolation sees while checking the result
 */
public record ImportOptions(String environmentName, Map<String, String> environment) {
    public ImportOptions {
        environment = Map.copyOf(Objects.requireNonNull(environment, "environment"));
    }
}
