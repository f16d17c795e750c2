package dev.drover.interop;

import dev.drover.config.DroverConfig;
import java.nio.file.Path;
import java.util.Locale;

/** {@code drover export}: a loaded configuration as another platform's files. */
public final class Exporting {
    private Exporting() {}

    public static ExportResult run(ExportTarget target, DroverConfig config, ExportOptions options)
            throws InteropException {
        String project = options.project() != null ? options.project() : defaultProject(config.file());
        return switch (target) {
            case SYSTEMD -> SystemdExporter.export(config, project);
            case COMPOSE -> ComposeExporter.export(config, image(options, target));
            case KUBERNETES -> KubernetesExporter.export(config, project, image(options, target));
            case PM2 -> Pm2Exporter.export(config);
        };
    }

    private static String image(ExportOptions options, ExportTarget target) throws InteropException {
        if (options.image() == null || options.image().isBlank()) {
            throw new InteropException("--image IMAGE is required for " + target.cliName()
                    + ": every process runs in a container, and drover cannot tell which image holds its program");
        }
        return options.image();
    }

    /** The directory's name for drover.yaml, the file's stem for any other name; only [a-z0-9-]. */
    static String defaultProject(Path file) {
        String name = file.getFileName().toString();
        String base = name.equals("drover.yaml") || name.equals("drover.yml")
                ? file.getParent() == null || file.getParent().getFileName() == null
                        ? "drover"
                        : file.getParent().getFileName().toString()
                : name.replaceAll("\\.ya?ml$", "");
        String clean =
                base.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]+", "-").replaceAll("^-+|-+$", "");
        return clean.isEmpty() ? "drover" : clean;
    }
}
