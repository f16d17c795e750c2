package dev.drover.engine;

import dev.drover.config.ConfigError;
import dev.drover.config.ConfigException;
import dev.drover.config.ConfigLoader;
import dev.drover.config.StopSignal;
import dev.drover.control.Control;
import dev.drover.control.ControlException;
import dev.drover.control.HealthReport;
import dev.drover.control.LogEntry;
import dev.drover.control.ProcessInfo;
import dev.drover.control.ReloadResult;
import dev.drover.logs.LogLine;
import dev.drover.logs.LogListener;
import dev.drover.logs.ProcessLog;
import dev.drover.state.Health;
import dev.drover.state.ProcessState;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/** The in-process {@link Control}: commands go straight to the engine. */
public final class EngineControl implements Control {
    private final Engine engine;
    private final Runnable shutdown;

    /**
     * @param shutdown what `down` does: typically stop the engine and let the daemon exit
     */
    public EngineControl(Engine engine, Runnable shutdown) {
        this.engine = engine;
        this.shutdown = shutdown;
    }

    @Override
    public List<ProcessInfo> processes() {
        return engine.snapshots().stream().map(EngineControl::info).toList();
    }

    @Override
    public ProcessInfo process(String id) throws ControlException {
        return info(snapshot(id));
    }

    @Override
    public ProcessInfo start(String id) throws ControlException {
        ProcessSnapshot first = snapshot(id);
        engine.start(List.of(id));
        return process(first.name());
    }

    @Override
    public ProcessInfo stop(String id) throws ControlException {
        ProcessSnapshot first = snapshot(id);
        engine.stop(List.of(id));
        return process(first.name());
    }

    @Override
    public ProcessInfo restart(String id) throws ControlException {
        ProcessSnapshot first = snapshot(id);
        engine.restart(List.of(id));
        return process(first.name());
    }

    @Override
    public ProcessInfo signal(String id, String signal) throws ControlException {
        snapshot(id);
        StopSignal parsed = StopSignal.parse(signal)
                .orElseThrow(() -> new ControlException(400, "unknown signal " + signal + " (use a name like TERM, HUP, USR1, or a number)"));
        if (!engine.signal(id, parsed.number())) {
            throw new ControlException(409, id + " is not running, nothing to signal");
        }
        return process(id);
    }

    @Override
    public List<LogEntry> logs(String id, int lines) throws ControlException {
        snapshot(id);
        if (lines < 0) {
            throw new ControlException(400, "lines must be 0 or more, got " + lines);
        }
        return engine.log(id).ring().last(lines).stream().map(l -> entry(id, l)).toList();
    }

    @Override
    public AutoCloseable followLogs(List<String> ids, Consumer<LogEntry> sink) throws ControlException {
        List<String> names = ids.isEmpty() ? engine.instanceNames() : ids;
        for (String id : names) {
            snapshot(id);
        }
        List<ProcessLog> logs = names.stream().map(engine::log).toList();
        LogListener listener = (process, source, time, buffer, offset, length) ->
                sink.accept(new LogEntry(time, process, stream(source), new String(buffer, offset, length, StandardCharsets.UTF_8)));
        logs.forEach(l -> l.addListener(listener));
        return () -> logs.forEach(l -> l.removeListener(listener));
    }

    @Override
    public ReloadResult reload() throws ControlException {
        try {
            return engine.reload(ConfigLoader.load(engine.config().file()));
        } catch (ConfigException e) {
            List<String> errors = new ArrayList<>();
            for (ConfigError error : e.errors()) {
                errors.add(error.toString());
            }
            throw new ControlException(400, "invalid configuration, nothing changed", errors);
        }
    }

    @Override
    public HealthReport health() {
        List<ProcessInfo> details = new ArrayList<>();
        int running = 0, ready = 0;
        boolean healthy = true;
        for (ProcessSnapshot s : engine.snapshots()) {
            details.add(info(s));
            boolean isRunning = s.state() == ProcessState.RUNNING;
            running += isRunning ? 1 : 0;
            ready += isRunning && s.health() == Health.READY ? 1 : 0;
            // Should run but does not serve: unhealthy. A one-shot that completed is fine.
            if (s.wanted() && !s.completed() && !(isRunning && s.health() == Health.READY)) {
                healthy = false;
            }
        }
        return new HealthReport(healthy ? "healthy" : "unhealthy", details.size(), running, ready, details);
    }

    @Override
    public void shutdown() {
        shutdown.run();
    }

    /** The instance named {@code id}, or for a process name with replicas, its first instance. */
    private ProcessSnapshot snapshot(String id) throws ControlException {
        try {
            return engine.snapshot(id);
        } catch (UnknownProcessException e) {
            return engine.snapshots().stream().filter(s -> s.process().equals(id)).findFirst()
                    .orElseThrow(() -> new ControlException(404, e.getMessage()));
        }
    }

    static ProcessInfo info(ProcessSnapshot s) {
        boolean running = s.state() == ProcessState.RUNNING;
        long uptime = running && s.startedAtMillis() > 0 ? Math.max(0, System.currentTimeMillis() - s.startedAtMillis()) : 0;
        return new ProcessInfo(s.name(), s.process(), s.replica(), s.state().label(), s.health().label(), s.pid(),
                running ? s.startedAtMillis() : 0, uptime, s.restarts(), s.probeFailures(), s.lastProbe(), s.port(),
                null, null, s.reason(), s.waitingFor());
    }

    private static LogEntry entry(String id, LogLine line) {
        return new LogEntry(line.timeMillis(), id, stream(line.source()), line.text());
    }

    private static String stream(LogLine.Source source) {
        return source.name().toLowerCase(Locale.ROOT);
    }
}
