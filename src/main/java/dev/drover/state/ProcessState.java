package dev.drover.state;

/** Whether a process runs, named as supervisord names them, plus the traffic layer's draining. */
public enum ProcessState {
    /** Not running and not meant to, or waiting for its dependencies. */
    STOPPED,
    /** Being spawned. */
    STARTING,
    /** Its main process is alive. */
    RUNNING,
    /**
     * Asked to stop while it receives routed traffic: out of rotation, its requests in flight may
     * finish (up to {@code drain_timeout}) before the stop signal is sent.
     */
    DRAINING,
    /** Exited unexpectedly; waiting before the next start. */
    BACKOFF,
    /** Asked to stop; waiting for it and everything it started to end. */
    STOPPING,
    /** Finished and not to be restarted (a one-shot, or a policy that does not restart). */
    EXITED,
    /** Gave up: could not be spawned, or restarted too often. */
    FATAL;

    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
