package dev.drover.engine;

import java.util.Collection;

/** A command named a process that the configuration does not define. */
public final class UnknownProcessException extends IllegalArgumentException {
    public UnknownProcessException(String name, Collection<String> known) {
        super("unknown process " + name + " (known: " + String.join(", ", known) + ")");
    }
}
