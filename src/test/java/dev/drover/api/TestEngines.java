package dev.drover.api;

import dev.drover.config.ConfigLoader;
import dev.drover.config.DroverConfig;
import dev.drover.engine.Engine;
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

    @Override
    public void close() {
        for (Engine engine : engines) {
            engine.shutdown();
            engine.close();
        }
    }
}
