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
public final class EngineFixture implements AutoCloseable {
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
        Engine engine = new Engine(config, dev.drover.launch.Launcher.get(), null);
        engines.add(engine);
        return engine;
    }

    static List<String> announcements(Engine engine, String instance) {
        return engine.log(instance).ring().last(1000).stream()
                .filter(l -> l.source() == LogLine.Source.DROVER)
                .map(LogLine::text)
                .toList();
    }

    /** Every instance's status and last lines, for a failed wait to say what it saw. */
    public static String describe(Engine engine) {
        StringBuilder text = new StringBuilder();
        for (ProcessSnapshot s : engine.snapshots()) {
            text.append("  ")
                    .append(s.name())
                    .append(": ")
                    .append(s.state().label())
                    .append(", ")
                    .append(s.health().label())
                    .append(", pid ")
                    .append(s.pid())
                    .append(", restarts ")
                    .append(s.restarts())
                    .append(s.reason() == null ? "" : ", reason: " + s.reason())
                    .append(s.waitingFor() == null ? "" : ", waiting for " + s.waitingFor())
                    .append(
                            s.lastEnd() == null
                                    ? ""
                                    : ", last end: " + s.lastEnd().kind().label() + " ("
                                            + s.lastEnd().describe() + ")")
                    .append(s.lastProbe() == null ? "" : ", last probe: " + s.lastProbe())
                    .append('\n');
            List<LogLine> lines = engine.log(s.name()).ring().last(8);
            for (LogLine line : lines) {
                text.append("    ")
                        .append(line.source().name().toLowerCase(java.util.Locale.ROOT))
                        .append(" | ")
                        .append(line.text())
                        .append('\n');
            }
        }
        return text.toString();
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
