package dev.drover.control;

import java.util.List;

/**
 * Everything a user can ask of a running Drover. Implemented in-process by the engine and remotely
 * by the client over the control socket; the CLI and the HTTP API use nothing else, and one
 * contract test suite runs against both implementations.
 *
 * <p>Process ids are instance names ({@code api}, or {@code api.0} with replicas). An unknown id is
 * a {@link ControlException} with status 404 whose message lists the known ids.
 */
public interface Control {
    List<ProcessInfo> processes() throws ControlException;

    ProcessInfo process(String id) throws ControlException;

    /** Queues a start; the returned snapshot is taken right after, so it may not show the effect yet. */
    ProcessInfo start(String id) throws ControlException;

    ProcessInfo stop(String id) throws ControlException;

    ProcessInfo restart(String id) throws ControlException;

    /** The environment, directory and user an instance runs with, for {@code drover exec}. */
    ExecContext execContext(String id) throws ControlException;

    /** Starts a run of a scheduled process now; 409 when it has no schedule. */
    ProcessInfo run(String id) throws ControlException;

    /**
     * Takes the instance (or every instance of a process) out of the proxy's rotation by hand and
     * returns once their requests in flight have finished (or their drain_timeout passed); it keeps
     * running. 409 without a proxy route to it.
     */
    ProcessInfo drain(String id) throws ControlException;

    /** Puts instances that were drained by hand back into rotation. */
    ProcessInfo undrain(String id) throws ControlException;

    /** The reverse proxy's routes with their instances and traffic; empty without a proxy. */
    List<RouteInfo> routes() throws ControlException;

    /** Sends a signal (a name such as TERM or HUP, or a number) to the process's main PID. */
    ProcessInfo signal(String id, String signal) throws ControlException;

    /** The last {@code lines} lines of the process's log, oldest first. */
    List<LogEntry> logs(String id, int lines) throws ControlException;

    /**
     * Calls {@code sink} with every new log line of the given processes (all when empty), as they
     * are written, until the returned handle is closed. A followed process that restarts keeps
     * being followed.
     */
    AutoCloseable followLogs(List<String> ids, java.util.function.Consumer<LogEntry> sink) throws ControlException;

    /**
     * Calls {@code sink} with every change of state or health of every process, in the order each
     * process went through them, until the returned handle is closed.
     */
    AutoCloseable followEvents(java.util.function.Consumer<ProcessEvent> sink) throws ControlException;

    /**
     * Runs {@code replicas} instances of a process (a process name, not an instance) until the next
     * reload, which restores the file's count; returns its instances afterwards. Surplus instances
     * are drained (when routed) and stopped, new ones started if the process is wanted. 404 for an
     * unknown process, 400 for a count below 1 or above 1 with a fixed port.
     */
    List<ProcessInfo> scale(String process, int replicas) throws ControlException;

    /** Re-reads the configuration; an invalid file is a 400 with every error, and changes nothing. */
    ReloadResult reload() throws ControlException;

    HealthReport health() throws ControlException;

    /**
     * Stops every process in reverse dependency order, then the daemon exits; with {@code force},
     * without waiting for stop_timeout (and, for one already stopping, at once).
     */
    void shutdown(boolean force) throws ControlException;
}
