package dev.drover.interop;

import java.util.Objects;

/** One file an export writes: its name within the output directory and its text. */
public record ExportedFile(String name, String content) {
    public ExportedFile {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(content, "content");
    }
}
