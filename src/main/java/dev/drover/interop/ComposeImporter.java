package dev.drover.interop;

import java.nio.file.Path;

final class ComposeImporter implements Importer {
    @Override
    public void read(Path file, String content, ImportOptions options, Draft draft) throws ImportException {
        throw new ImportException("this format cannot be imported yet");
    }
}
