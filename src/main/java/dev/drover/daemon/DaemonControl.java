package dev.drover.daemon;

import dev.drover.control.Control;
import dev.drover.control.ControlException;
import dev.drover.control.HealthReport;
import dev.drover.control.LogEntry;
import dev.drover.control.ProcessInfo;
import dev.drover.control.ReloadResult;
import java.util.List;
import java.util.function.Consumer;

/**
 * The daemon's {@link Control}: the engine's, except that a reload goes through the daemon, which
 * marks itself not ready, tells systemd and writes the result to its log (as for SIGHUP).
 */
final class DaemonControl implements Control {
    /** The daemon's reload. */
    interface Reload {
        ReloadResult run() throws ControlException;
    }

    private final Control engine;
    private final Reload reload;

    DaemonControl(Control engine, Reload reload) {
        this.engine = engine;
        this.reload = reload;
    }

    @Override
    public ReloadResult reload() throws ControlException {
        return reload.run();
    }

    @Override
    public List<ProcessInfo> processes() throws ControlException {
        return engine.processes();
    }

    @Override
    public ProcessInfo process(String id) throws ControlException {
        return engine.process(id);
    }

    @Override
    public ProcessInfo start(String id) throws ControlException {
        return engine.start(id);
    }

    @Override
    public ProcessInfo stop(String id) throws ControlException {
        return engine.stop(id);
    }

    @Override
    public ProcessInfo restart(String id) throws ControlException {
        return engine.restart(id);
    }

    @Override
    public ProcessInfo signal(String id, String signal) throws ControlException {
        return engine.signal(id, signal);
    }

    @Override
    public List<LogEntry> logs(String id, int lines) throws ControlException {
        return engine.logs(id, lines);
    }

    @Override
    public AutoCloseable followLogs(List<String> ids, Consumer<LogEntry> sink) throws ControlException {
        return engine.followLogs(ids, sink);
    }

    @Override
    public HealthReport health() throws ControlException {
        return engine.health();
    }

    @Override
    public void shutdown() throws ControlException {
        engine.shutdown();
    }
}
