package dev.drover.interop;

import java.util.List;

/**
 * An imported configuration, checked by drover's own loader.
 *
 * @param yaml the drover.yaml text
 * @param notes what every source key became, or why it became nothing
 * @param warnings what the user must still do before {@code drover up} (set a variable, …)
 */
public record ImportResult(SourceFormat format, String yaml, List<ImportNote> notes, List<String> warnings) {
    public ImportResult {
        notes = List.copyOf(notes);
        warnings = List.copyOf(warnings);
    }

    public long unmapped() {
        return notes.stream().filter(n -> !n.isMapped()).count();
    }
}
