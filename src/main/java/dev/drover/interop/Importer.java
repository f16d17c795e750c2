package dev.drover.interop;

import java.nio.file.Path;

/** Reads one source format into a {@link Draft}, noting every key it meets. */
interface Importer {

    /**
     * @param file the source file, absolute
     * @param content its text
     */
    void read(Path file, String content, ImportOptions options, Draft draft) throws InteropException;

    static Importer of(SourceFormat format) {
        return switch (format) {
            case SUPERVISORD -> new SupervisordImporter();
            case PROCFILE -> new ProcfileImporter();
            case PROCESS_COMPOSE -> new ProcessComposeImporter();
            case COMPOSE -> new ComposeImporter();
            case PM2 -> new Pm2Importer();
            case SEED -> new SeedImporter();
        };
    }
}
