package dev.drover.config;

import java.util.List;

/**
 * Commands run around each run of a process, in its directory, with its environment and user.
 *
 * @param preStart run in order before each start; one that fails blocks the start, which counts
 *     as a failed start
 * @param postStop run in order after each run ends (stopped, exited or crashed); failures are
 *     logged and change nothing
 */
public record Hooks(List<Command> preStart, List<Command> postStop) {
    public static final Hooks NONE = new Hooks(List.of(), List.of());

    public Hooks {
        preStart = List.copyOf(preStart);
        postStop = List.copyOf(postStop);
    }
}
