package dev.drover.control;

import java.util.List;

/**
 * What a reload did, by process name.
 *
 * @param notes what the reload read but could not apply (e.g. a new proxy listener, which needs a
 *     restart of the daemon); empty when everything was applied
 */
public record ReloadResult(
        List<String> restarted, List<String> added, List<String> removed, List<String> unchanged, List<String> notes) {
    public ReloadResult {
        notes = notes == null ? List.of() : List.copyOf(notes);
    }

    public ReloadResult(List<String> restarted, List<String> added, List<String> removed, List<String> unchanged) {
        this(restarted, added, removed, unchanged, List.of());
    }

    /** This result with {@code more} notes. */
    public ReloadResult noting(List<String> more) {
        List<String> all = new java.util.ArrayList<>(notes);
        all.addAll(more);
        return new ReloadResult(restarted, added, removed, unchanged, all);
    }
}
