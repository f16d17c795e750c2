package dev.drover.config;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A {@code host:port} address (listeners, tcp probes, upstream targets): checked once here when
 * the config is read, and parsed here wherever it is used. An IPv6 host is written in brackets.
 *
 * @param host the host without brackets
 */
public record HostPort(String host, int port) {

    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{[A-Za-z_][A-Za-z0-9_]*(:-[^}]*)?}");
    private static final Pattern DIGITS = Pattern.compile("\\d{1,5}");

    /** Parses an address that {@link #problem} found nothing wrong with (and whose placeholders are filled). */
    public static HostPort parse(String text) {
        Optional<String> problem = problem(text, 0);
        if (problem.isPresent()) {
            throw new IllegalArgumentException(problem.get());
        }
        int colon = text.lastIndexOf(':');
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        return new HostPort(host, Integer.parseInt(text.substring(colon + 1)));
    }

    /** The address as written in a URL: an IPv6 host in brackets. */
    public String authority(int withPort) {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + withPort;
    }

    /**
     * Why {@code text} is not a usable {@code host:port}, or empty when it is. The port may be
     * an instance placeholder such as {@code ${PORT}}, filled per instance later.
     *
     * @param lowestPort 0 where an ephemeral port makes sense (listeners), 1 where it does not
     */
    static Optional<String> problem(String text, int lowestPort) {
        String expected = "expected host:port like 127.0.0.1:8080, got \"" + text + "\"";
        int colon = text.lastIndexOf(':');
        if (colon <= 0) {
            return Optional.of(expected);
        }
        String host = text.substring(0, colon);
        String port = text.substring(colon + 1);
        boolean bracketed = host.startsWith("[") && host.endsWith("]") && host.length() > 2;
        if (host.chars().anyMatch(c -> Character.isWhitespace(c) || c == '/')
                || (!bracketed && (host.contains("[") || host.contains("]") || host.contains(":")))) {
            return Optional.of(expected);
        }
        if (PLACEHOLDER.matcher(port).matches()) {
            return Optional.empty();
        }
        if (!DIGITS.matcher(port).matches()) {
            return Optional.of(expected);
        }
        int number = Integer.parseInt(port);
        if (number < lowestPort || number > 65535) {
            return Optional.of("port " + number + " is out of range (" + lowestPort + "-65535) in \"" + text + "\"");
        }
        return Optional.empty();
    }
}
