package dev.drover.launch;

/**
 * What the engine and the probes need of the operating system: starting children, and knowing that
 * the machinery which reaps them and reads their output still runs. Passed in by whoever wires
 * Drover together ({@link Launcher#get()} in production), so a test can stand in front of it to
 * count calls or inject faults.
 */
public interface OsEdge {
    /** Spawns and starts reading the child's output at once. */
    Child spawn(SpawnSpec spec, OutputSink stdout, OutputSink stderr) throws SpawnException;

    /**
     * Spawns without reading the child's output yet: it waits in the pipes until
     * {@link Child#startReading()}, so the caller can record the start before the first line.
     */
    Child spawnPaused(SpawnSpec spec, OutputSink stdout, OutputSink stderr) throws SpawnException;

    /**
     * Binds a private sd_notify socket at {@code address} (a path, or {@code @name} for the
     * abstract namespace) and hands each message that arrives on it to {@code listener}.
     */
    NotifySocket openNotifySocket(String address, NotifySocket.Listener listener) throws java.io.IOException;

    /** Whether the reaper and output threads are still running. */
    boolean threadsAlive();
}
