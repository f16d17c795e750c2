package dev.drover.control;

import java.util.List;

/** What a reload did, by process name. */
public record ReloadResult(List<String> restarted, List<String> added, List<String> removed, List<String> unchanged) {}
