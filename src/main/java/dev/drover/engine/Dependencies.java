package dev.drover.engine;

import dev.drover.config.Dependency;
import dev.drover.state.ProcessState;
import dev.drover.state.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** Decides whether a process's dependencies meet their conditions, and says what is missing. */
final class Dependencies {
    /** The verdict for one process: met, or what it waits for. */
    record Verdict(boolean met, String waitingFor) {}

    private Dependencies() {}

    static Verdict evaluate(List<Dependency> dependencies, Function<String, List<Status>> instancesOf) {
        List<String> missing = new ArrayList<>();
        for (Dependency dependency : dependencies) {
            for (Status status : instancesOf.apply(dependency.process())) {
                if (!meets(status, dependency.condition())) {
                    missing.add(describe(dependency, status));
                    break;
                }
            }
        }
        return missing.isEmpty() ? new Verdict(true, null) : new Verdict(false, String.join(", ", missing));
    }

    /**
     * Whether a dependency it waits for has ended without meeting its condition and will not start
     * again by itself: fatal, or exited (a one-shot that failed, a service that is done).
     */
    static boolean ended(List<Dependency> dependencies, Function<String, List<Status>> instancesOf) {
        for (Dependency dependency : dependencies) {
            for (Status status : instancesOf.apply(dependency.process())) {
                boolean over = status.state() == ProcessState.FATAL || status.state() == ProcessState.EXITED;
                if (over && !meets(status, dependency.condition())) {
                    return true;
                }
            }
        }
        return false;
    }

    static boolean meets(Status status, Dependency.Condition condition) {
        return switch (condition) {
            case STARTED -> status.state() == ProcessState.RUNNING || status.state() == ProcessState.EXITED;
            case HEALTHY -> status.serving();
            case COMPLETED -> status.completed();
        };
    }

    private static String describe(Dependency dependency, Status status) {
        String wanted = switch (dependency.condition()) {
            case STARTED -> "to start";
            case HEALTHY -> "to be healthy";
            case COMPLETED -> "to complete";
        };
        String name = dependency.process();
        return switch (status.state()) {
            case FATAL -> name + " " + wanted + " (it is fatal: " + status.reason() + ")";
            case EXITED -> name + " " + wanted + " (it " + status.reason() + ")";
            default -> name + " " + wanted;
        };
    }
}
