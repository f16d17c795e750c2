package dev.drover.engine;

import dev.drover.config.ConfigLoader;
import dev.drover.config.DroverConfig;
import dev.drover.logs.LogLine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Starts engines on YAML written to a temp directory and shuts every one of them down after a test. */
final class EngineFixture implements AutoCloseable {
    private final Path dir;
    private final List<Engine> engines = new ArrayList<>();

    EngineFixture(Path dir) {
        this.dir = dir;
    }

    Path dir() {
        return dir;
    }

    Engine start(String yaml, String... names) throws Exception {
        Engine engine = create(yaml);
        engine.up(List.of(names));
        return engine;
    }

    Engine create(String yaml) throws Exception {
        Path file = dir.resolve("drover.yaml");
        Files.writeString(file, yaml);
        DroverConfig config = ConfigLoader.load(file, Map.of("PATH", System.getenv("PATH"), "HOME", dir.toString()));
        Engine engine = new Engine(config, null);
        engines.add(engine);
        return engine;
    }

    static List<String> announcements(Engine engine, String instance) {
        return engine.log(instance).ring().last(1000).stream()
                .filter(l -> l.source() == LogLine.Source.DROVER)
                .map(LogLine::text)
                .toList();
    }

    static List<String> output(Engine engine, String instance) {
        return engine.log(instance).ring().last(1000).stream()
                .filter(l -> l.source() != LogLine.Source.DROVER)
                .map(LogLine::text)
                .toList();
    }

    @Override
    public void close() {
        for (Engine engine : engines) {
            engine.shutdown();
            engine.close();
        }
    }
}
