package dev.drover.config;

/** Builds the dotted key paths that name where an error is, like {@code processes.api.port}. */
final class KeyPaths {

    private KeyPaths() {}

    static String child(String parent, String key) {
        return parent.isEmpty() ? key : parent + "." + key;
    }

    static String index(String parent, int index) {
        return parent + "[" + index + "]";
    }
}
