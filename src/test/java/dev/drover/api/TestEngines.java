package dev.drover.api;

import dev.drover.config.ConfigLoader;
import dev.drover.config.DroverConfig;
import dev.drover.control.Control;
import dev.drover.control.LogEntry;
import dev.drover.control.ProcessInfo;
import dev.drover.engine.Engine;
import dev.drover.engine.EngineFixture;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Engines on YAML written to a test's temp directory, each stopped and closed after the test. The
 * config file stays in place so a test can rewrite it and reload.
 */
public final class TestEngines implements AutoCloseable {
    private final Path dir;
    private final List<Engine> engines = new ArrayList<>();

    public TestEngines(Path dir) {
        this.dir = dir;
    }

    public Path configFile() {
        return dir.resolve("drover.yaml");
    }

    /** Writes the config, creates its engine and starts every enabled process. */
    public Engine start(String yaml) throws Exception {
        rewrite(yaml);
        DroverConfig config =
                ConfigLoader.load(configFile(), Map.of("PATH", System.getenv("PATH"), "HOME", dir.toString()));
        Engine engine = new Engine(config, dev.drover.launch.Launcher.get(), null);
        engines.add(engine);
        engine.up(List.of());
        return engine;
    }

    public void rewrite(String yaml) throws IOException {
        Files.writeString(configFile(), yaml);
    }

    /** Whether a PID names a live process (not gone, not a zombie waiting to be reaped). */
    public static boolean alive(int pid) {
        try {
            String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
        } catch (IOException e) {
            return false;
        }
    }

    /** Every instance of an engine as it sees it now, for a wait that ran out (see {@link EngineFixture#describe}). */
    public static String describe(Engine engine) {
        return EngineFixture.describe(engine);
    }

    /**
     * Every process as a {@link Control} shows it now (for the remote one: what its JSON said), or
     * why it did not answer, for a wait that ran out.
     */
    public static String describe(Control control) {
        StringBuilder text = new StringBuilder();
        try {
            for (ProcessInfo p : control.processes()) {
                text.append("  ").append(p).append('\n');
            }
        } catch (Exception e) {
            text.append("  (the control did not answer: ").append(e).append(")\n");
        }
        return text.toString();
    }

    /** Log entries one a line; of many, the first and last few. */
    public static String describe(List<LogEntry> entries) {
        List<LogEntry> all = List.copyOf(entries);
        StringBuilder text = new StringBuilder("  " + all.size() + " lines\n");
        for (int i = 0; i < all.size(); i++) {
            if (all.size() > 20 && i == 5) {
                text.append("  ...\n");
                i = all.size() - 10;
            }
            LogEntry e = all.get(i);
            text.append("  ")
                    .append(e.process())
                    .append(' ')
                    .append(e.stream())
                    .append(" | ")
                    .append(e.line())
                    .append('\n');
        }
        return text.toString();
    }

    @Override
    public void close() {
        for (Engine engine : engines) {
            engine.shutdown();
            engine.close();
        }
    }
}
