package dev.drover.interop;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/** The formats {@code drover import} reads, by the name {@code --from} takes. */
public enum SourceFormat {
    SUPERVISORD("supervisord"),
    PROCFILE("procfile"),
    PROCESS_COMPOSE("process-compose"),
    COMPOSE("compose"),
    PM2("pm2"),
    SEED("seed");

    private final String cliName;

    SourceFormat(String cliName) {
        this.cliName = cliName;
    }

    public String cliName() {
        return cliName;
    }

    public static Optional<SourceFormat> fromName(String name) {
        return Arrays.stream(values())
                .filter(f -> f.cliName.equals(name.strip().toLowerCase(Locale.ROOT)))
                .findFirst();
    }

    public static String names() {
        return Arrays.stream(values()).map(SourceFormat::cliName).collect(Collectors.joining("|"));
    }

    /**
     * Tells the format from the file's name, then from its content; empty when neither says.
     * Content decides between the YAML formats: Compose has {@code services}, PM2 {@code apps},
     * process-compose a map of {@code processes}, the proxy-server format a list of them.
     */
    public static Optional<SourceFormat> guess(Path file, String content) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.startsWith("procfile")) {
            return Optional.of(PROCFILE);
        }
        if (name.endsWith(".js") || name.endsWith(".cjs") || name.endsWith(".mjs") || name.startsWith("ecosystem.")) {
            return Optional.of(PM2);
        }
        if (name.startsWith("process-compose")) {
            return Optional.of(PROCESS_COMPOSE);
        }
        if (name.startsWith("docker-compose") || name.startsWith("compose.")) {
            return Optional.of(COMPOSE);
        }
        if (content.lines().anyMatch(l -> l.strip().matches("\\[(program|supervisord|group|include):?.*]"))) {
            return Optional.of(SUPERVISORD);
        }
        if (content.lines().anyMatch(l -> l.matches("services\\s*:.*"))) {
            return Optional.of(COMPOSE);
        }
        if (content.lines().anyMatch(l -> l.matches("\\s*\"?apps\"?\\s*:.*"))) {
            return Optional.of(PM2);
        }
        if (content.lines().anyMatch(l -> l.matches("processes\\s*:.*"))) {
            boolean list = content.lines()
                    .dropWhile(l -> !l.matches("processes\\s*:.*"))
                    .skip(1)
                    .filter(l -> !l.isBlank() && !l.strip().startsWith("#"))
                    .findFirst()
                    .map(l -> l.strip().startsWith("- "))
                    .orElse(false);
            return Optional.of(list ? SEED : PROCESS_COMPOSE);
        }
        if (!name.contains(".")
                && content.lines()
                        .filter(l -> !l.isBlank() && !l.strip().startsWith("#"))
                        .allMatch(l -> l.matches("[A-Za-z0-9_-]+:\\s*\\S.*"))) {
            return Optional.of(PROCFILE);
        }
        return Optional.empty();
    }
}
