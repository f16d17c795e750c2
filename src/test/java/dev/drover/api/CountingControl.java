package dev.drover.api;

import dev.drover.control.Control;
import dev.drover.control.ControlException;
import dev.drover.control.HealthReport;
import dev.drover.control.LogEntry;
import dev.drover.control.ProcessInfo;
import dev.drover.control.ReloadResult;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/** A real Control that also counts the follow handles still open, to see the API close them. */
final class CountingControl implements Control {
    private final Control delegate;
    private final AtomicInteger openFollows = new AtomicInteger();

    CountingControl(Control delegate) {
        this.delegate = delegate;
    }

    int openFollows() {
        return openFollows.get();
    }

    @Override
    public AutoCloseable followLogs(List<String> ids, Consumer<LogEntry> sink) throws ControlException {
        AutoCloseable handle = delegate.followLogs(ids, sink);
        openFollows.incrementAndGet();
        return () -> {
            openFollows.decrementAndGet();
            handle.close();
        };
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
    public ProcessInfo signal(String id, String signal) throws ControlException {
        return delegate.signal(id, signal);
    }

    @Override
    public List<LogEntry> logs(String id, int lines) throws ControlException {
        return delegate.logs(id, lines);
    }

    @Override
    public ReloadResult reload() throws ControlException {
        return delegate.reload();
    }

    @Override
    public HealthReport health() throws ControlException {
        return delegate.health();
    }

    @Override
    public void shutdown() throws ControlException {
        delegate.shutdown();
    }
}
