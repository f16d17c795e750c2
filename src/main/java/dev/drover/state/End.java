package dev.drover.state;

/**
 * How one run of a process ended, as a value: metrics count it by {@link #kind()}, shutdown asks
 * whether it was forced, and the words people read are rendered from it by {@link #describe()}.
 */
public sealed interface End {
    Kind kind();

    /** The end in words, e.g. "exit code 1" or "killed after stop_timeout; killed by SIGKILL". */
    String describe();

    /** Exited with code 0 on its own: what {@code condition: completed} waits for. */
    default boolean success() {
        return false;
    }

    /** Whether Drover had to kill what was left after the grace period. */
    default boolean forced() {
        return false;
    }

    /** The kinds of end, with the label the exits metric uses. */
    enum Kind {
        SUCCESS("success"),
        FAILURE("failure"),
        SIGNAL("signal"),
        STOPPED("stopped"),
        KILLED_AFTER_STOP_TIMEOUT("killed"),
        LIVENESS("liveness"),
        WATCHDOG("watchdog"),
        MEMORY_LIMIT("memory_limit"),
        CPU_LIMIT("cpu_limit"),
        SPAWN_FAILED("spawn_failed");

        private final String label;

        Kind(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /** It ended on its own. */
    record Exited(Termination termination) implements End {
        @Override
        public Kind kind() {
            return termination.success() ? Kind.SUCCESS : termination.bySignal() ? Kind.SIGNAL : Kind.FAILURE;
        }

        @Override
        public String describe() {
            return termination.describe();
        }

        @Override
        public boolean success() {
            return termination.success();
        }
    }

    /** Drover stopped it because it was asked to (stop, restart, reload, shutdown). */
    record Stopped(StopResult result) implements End {
        @Override
        public Kind kind() {
            return result.forced() ? Kind.KILLED_AFTER_STOP_TIMEOUT : Kind.STOPPED;
        }

        @Override
        public String describe() {
            return result.describe();
        }

        @Override
        public boolean forced() {
            return result.forced();
        }
    }

    /** Drover stopped it because it was failing (see {@link Failure}). */
    record Failed(Failure cause, StopResult result) implements End {
        @Override
        public Kind kind() {
            return switch (cause) {
                case Failure.Liveness l -> Kind.LIVENESS;
                case Failure.Watchdog w -> Kind.WATCHDOG;
                case Failure.LimitBroken b ->
                    switch (b.resource()) {
                        case MEMORY -> Kind.MEMORY_LIMIT;
                        case CPU -> Kind.CPU_LIMIT;
                    };
            };
        }

        @Override
        public String describe() {
            return cause.describe();
        }

        @Override
        public boolean forced() {
            return result.forced();
        }
    }

    /** It could not be spawned at all. */
    record NotSpawned(SpawnFailure failure) implements End {
        @Override
        public Kind kind() {
            return Kind.SPAWN_FAILED;
        }

        @Override
        public String describe() {
            return failure.detail();
        }
    }
}
