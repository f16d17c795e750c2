package dev.drover.control;

import java.util.List;
import java.util.function.Consumer;

/** A {@link Control} that passes every call on; subclasses change the calls they care about. */
public abstract class ForwardingControl implements Control {
    private final Control delegate;

    protected ForwardingControl(Control delegate) {
        this.delegate = delegate;
    }

    @Override
    public ReloadResult reload() throws ControlException {
        return delegate.reload();
    }

    @Override
    public List<ProcessInfo> scale(String process, int replicas) throws ControlException {
        return delegate.scale(process, replicas);
    }

    @Override
    public List<ProcessInfo> processes() throws ControlException {
        return delegate.processes();
    }

    @Override
    public ProcessInfo process(String id) throws ControlException {
        return delegate.process(id);
    }

    @Override
    public ProcessInfo start(String id) throws ControlException {
        return delegate.start(id);
    }

    @Override
    public ProcessInfo stop(String id) throws ControlException {
        return delegate.stop(id);
    }

    @Override
    public ProcessInfo restart(String id) throws ControlException {
        return delegate.restart(id);
    }

    @Override
    public ExecContext execContext(String id) throws ControlException {
        return delegate.execContext(id);
    }

    @Override
    public ProcessInfo run(String id) throws ControlException {
        return delegate.run(id);
    }

    @Override
    public ProcessInfo drain(String id) throws ControlException {
        return delegate.drain(id);
    }

    @Override
    public ProcessInfo undrain(String id) throws ControlException {
        return delegate.undrain(id);
    }

    @Override
    public List<RouteInfo> routes() throws ControlException {
        return delegate.routes();
    }

    @Override
    public ProcessInfo signal(String id, String signal) throws ControlException {
        return delegate.signal(id, signal);
    }

    @Override
    public List<LogEntry> logs(String id, int lines) throws ControlException {
        return delegate.logs(id, lines);
    }

    @Override
    public AutoCloseable followLogs(List<String> ids, Consumer<LogEntry> sink) throws ControlException {
        return delegate.followLogs(ids, sink);
    }

    @Override
    public AutoCloseable followEvents(Consumer<ProcessEvent> sink) throws ControlException {
        return delegate.followEvents(sink);
    }

    @Override
    public HealthReport health() throws ControlException {
        return delegate.health();
    }

    @Override
    public void shutdown(boolean force) throws ControlException {
        delegate.shutdown(force);
    }
}
