package dev.drover.api;

import dev.drover.control.Control;
import dev.drover.control.ControlException;
import dev.drover.control.ForwardingControl;
import dev.drover.control.LogEntry;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/** A real Control that also counts the follow handles still open, to see the API close them. */
final class CountingControl extends ForwardingControl {
    private final AtomicInteger openFollows = new AtomicInteger();

    CountingControl(Control delegate) {
        super(delegate);
    }

    int openFollows() {
        return openFollows.get();
    }

    @Override
    public AutoCloseable followLogs(List<String> ids, Consumer<LogEntry> sink) throws ControlException {
        AutoCloseable handle = super.followLogs(ids, sink);
        openFollows.incrementAndGet();
        return () -> {
            openFollows.decrementAndGet();
            handle.close();
        };
    }
}
