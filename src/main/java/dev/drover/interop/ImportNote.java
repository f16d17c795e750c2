package dev.drover.interop;

import java.util.Objects;

/**
 * What one key of the source file became in {@code drover.yaml}, or why it became nothing: the
 * import report is a list of these, so no key is ever dropped without a word.
 *
 * @param source where the key was, as the source format names it ({@code [program:web] command})
 * @param target the drover key it became ({@code processes.web.command}); null when not mapped
 * @param detail for a mapped key, how (may be empty); for an unmapped one, why
 */
public record ImportNote(String source, String target, String detail) {

    public ImportNote {
        Objects.requireNonNull(source, "source");
        detail = detail == null ? "" : detail;
    }

    static ImportNote mapped(String source, String target, String how) {
        return new ImportNote(source, Objects.requireNonNull(target, "target"), how);
    }

    static ImportNote unmapped(String source, String why) {
        return new ImportNote(source, null, Objects.requireNonNull(why, "why"));
    }

    public boolean isMapped() {
        return target != null;
    }

    /** {@code SOURCE -> TARGET (how)} or {@code SOURCE -> not mapped: WHY}. */
    public String render() {
        if (!isMapped()) {
            return source + " -> not mapped: " + detail;
        }
        return source + " -> " + target + (detail.isEmpty() ? "" : " (" + detail + ")");
    }
}
