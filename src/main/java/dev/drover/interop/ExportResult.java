package dev.drover.interop;

import java.util.List;

/**
 * @param files what to write
 * @param lost what of the configuration the target cannot express, one line each
 */
public record ExportResult(List<ExportedFile> files, List<String> lost) {
    public ExportResult {
        files = List.copyOf(files);
        lost = List.copyOf(lost);
    }
}
