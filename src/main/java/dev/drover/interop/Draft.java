package dev.drover.interop;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code drover.yaml} an importer builds, as plain maps in key order (written by Jackson, never
 * by string templates), and the note for every source key it read.
 */
final class Draft {
    private final Map<String, Object> root = new LinkedHashMap<>();
    private final List<ImportNote> notes = new ArrayList<>();
    private final Path outputDir;

    /** @param outputDir where drover.yaml will be written: paths in it are relative to this */
    Draft(Path outputDir) {
        this.outputDir = outputDir.toAbsolutePath().normalize();
        root.put("version", 1);
    }

    Map<String, Object> root() {
        return root;
    }

    @SuppressWarnings("unchecked")
    Map<String, Object> processes() {
        return (Map<String, Object>) root.computeIfAbsent("processes", k -> new LinkedHashMap<String, Object>());
    }

    /** The process's map, created on first use. */
    @SuppressWarnings("unchecked")
    Map<String, Object> process(String name) {
        return (Map<String, Object>) processes().computeIfAbsent(name, k -> new LinkedHashMap<String, Object>());
    }

    /** Sets {@code processes.NAME.KEY} and notes that {@code source} became it. */
    void set(String process, String key, Object value, String source) {
        set(process, key, value, source, "");
    }

    void set(String process, String key, Object value, String source, String how) {
        process(process).put(key, value);
        mapped(source, "processes." + process + "." + key, how);
    }

    /** Sets {@code processes.NAME.KEY.SUBKEY}, creating the inner map. */
    @SuppressWarnings("unchecked")
    void setNested(String process, String key, String subKey, Object value, String source, String how) {
        ((Map<String, Object>) process(process).computeIfAbsent(key, k -> new LinkedHashMap<String, Object>()))
                .put(subKey, value);
        mapped(source, "processes." + process + "." + key + "." + subKey, how);
    }

    void mapped(String source, String target, String how) {
        notes.add(ImportNote.mapped(source, target, how));
    }

    void mapped(String source, String target) {
        mapped(source, target, "");
    }

    void unmapped(String source, String why) {
        notes.add(ImportNote.unmapped(source, why));
    }

    List<ImportNote> notes() {
        return notes;
    }

    /** Replaces the notes (after the validator turned some mapped keys down). */
    void replaceNotes(List<ImportNote> replacement) {
        notes.clear();
        notes.addAll(replacement);
    }

    /** A path as drover.yaml should hold it: relative to the output's directory when that is shorter. */
    String path(Path path) {
        Path absolute = path.toAbsolutePath().normalize();
        Path relative = outputDir.relativize(absolute);
        String text = relative.toString();
        if (text.isEmpty()) {
            return ".";
        }
        return relative.startsWith("../..") ? absolute.toString() : text;
    }

    Path outputDir() {
        return outputDir;
    }
}
