package dev.drover.state;

import java.util.List;

/** The outcome of one transition: the new status and what the engine must now do. */
public record Step(Status status, List<Effect> effects) {
    public Step {
        effects = List.copyOf(effects);
    }
}
