package dev.drover.control;

import java.util.List;

/**
 * What the traffic layer needs of the supervisor: which instances of a process may take requests
 * now, news when that changes, and the means to start an on-demand process and to stop an idle one.
 */
public interface Backends {
    /** One instance that serves: running and ready, not draining. */
    record Backend(String instance, int pid, int port) {}

    /** The instances of {@code process} that serve now (surge replacements included once ready). */
    List<Backend> serving(String process);

    /** Calls {@code changed} (from any thread) after any change of which instances serve; close to stop. */
    AutoCloseable onChange(Runnable changed);

    /** Starts {@code process} if it is not wanted yet (a request arrived for an on-demand process). */
    void demand(String process);

    /** Stops {@code process}: it had no request for its {@code idle_stop}. */
    void idle(String process);

    /** Nothing serves: for a proxy without a supervisor behind it (fixed targets only). */
    Backends NONE = new Backends() {
        @Override
        public List<Backend> serving(String process) {
            return List.of();
        }

        @Override
        public AutoCloseable onChange(Runnable changed) {
            return () -> {};
        }

        @Override
        public void demand(String process) {}

        @Override
        public void idle(String process) {}
    };
}
