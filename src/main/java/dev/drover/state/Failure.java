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
