package dev.drover.dashboard;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The dashboard's pages, scripts and styles, read once from the jar (no build step, no CDN): a
 * file is served only if it is one of the names listed here, so no path ever reaches the class
 * loader from a request.
 */
final class StaticFiles {
    /** One file: its bytes and content type. */
    record File(byte[] bytes, String contentType) {}

    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "svg", "image/svg+xml");

    static final java.util.List<String> NAMES = java.util.List.of(
            "index.html",
            "login.html",
            "login.js",
            "app.js",
            "connection.js",
            "table.js",
            "process.js",
            "graph.js",
            "format.js",
            "style.css",
            "icon.svg");

    private final Map<String, File> files = new ConcurrentHashMap<>();

    /** The file of that name, or null when there is none. */
    File get(String name) {
        if (!NAMES.contains(name)) {
            return null;
        }
        return files.computeIfAbsent(name, StaticFiles::read);
    }

    private static File read(String name) {
        try (InputStream in = StaticFiles.class.getResourceAsStream("ui/" + name)) {
            if (in == null) {
                throw new IllegalStateException("the jar has no dashboard file " + name);
            }
            String extension = name.substring(name.lastIndexOf('.') + 1);
            return new File(in.readAllBytes(), TYPES.get(extension));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
