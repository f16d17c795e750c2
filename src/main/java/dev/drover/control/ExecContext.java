package dev.drover.control;

import java.util.List;
import java.util.Map;

/**
 * What {@code drover exec} runs a command with: the instance's environment (its {@code PORT}
 * included), its working directory, and the words that run a command as its user and umask.
 *
 * @param prefix put before the command's own words (empty when it runs as Drover's user)
 */
public record ExecContext(String id, String cwd, Map<String, String> env, List<String> prefix) {
    public ExecContext {
        env = Map.copyOf(env);
        prefix = List.copyOf(prefix);
    }
}
