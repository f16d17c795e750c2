package dev.drover.state;

/** Why a child that has not exited is judged failed, and so stopped and restarted like a crash. */
public sealed interface Failure {
    /** What the user reads, e.g. "liveness failed: no answer in 1s". */
    String describe();

    /** Its liveness probe failed past its threshold. */
    record Liveness(String detail) implements Failure {
        @Override
        public String describe() {
            return "liveness failed: " + detail;
        }
    }

    /** Its tree stayed over a resource limit for several samples in a row. */
    record LimitBroken(Resource resource, String detail) implements Failure {
        @Override
        public String describe() {
            return resource.label + " limit: " + detail;
        }
    }

    /**
     * It speaks sd_notify with a watchdog and went {@code timeout} without a WATCHDOG=1, or asked
     * for its own restart with WATCHDOG=trigger ({@code triggered}).
     */
    record Watchdog(java.time.Duration timeout, boolean triggered) implements Failure {
        @Override
        public String describe() {
            return triggered
                    ? "watchdog triggered (WATCHDOG=trigger)"
                    : "watchdog timeout (no WATCHDOG=1 for " + Transition.format(timeout) + ")";
        }
    }

    /** The resource a {@link LimitBroken} is about. */
    enum Resource {
        MEMORY("memory"),
        CPU("cpu");

        private final String label;

        Resource(String label) {
            this.label = label;
        }
    }
}
