package dev.drover.interop;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations and sizes of other formats, converted to the strings drover.yaml reads. */
final class Units {
    private static final Pattern SIZE = Pattern.compile("(?i)\\s*(\\d+(?:\\.\\d+)?)\\s*([kmgt]?)(i?b?)\\s*");
    private static final Pattern GO_DURATION = Pattern.compile("(?:\\d+(?:\\.\\d+)?(?:ns|us|µs|ms|s|m|h))+");

    private Units() {}

    /** {@code 1500} → {@code 1500ms}, {@code 2000} → {@code 2s}. */
    static String millis(long millis) {
        if (millis % 1000 == 0) {
            return seconds(millis / 1000);
        }
        return millis + "ms";
    }

    static String seconds(long seconds) {
        if (seconds == 0) {
            return "0s";
        }
        if (seconds % 3600 == 0) {
            return seconds / 3600 + "h";
        }
        if (seconds % 60 == 0) {
            return seconds / 60 + "m";
        }
        return seconds + "s";
    }

    static String seconds(double seconds) {
        if (seconds == Math.rint(seconds)) {
            return seconds((long) seconds);
        }
        return millis(Math.round(seconds * 1000));
    }

    /**
     * A size such as {@code 50MB}, {@code 512M}, {@code 1g}, {@code 300K} or a number of bytes, in
     * drover's spelling (1 KB = 1024 bytes, as in supervisord, PM2 and Compose); empty when it is
     * not a size.
     */
    static Optional<String> size(String text) {
        Matcher m = SIZE.matcher(text);
        if (!m.matches()
                || !m.group(3).isEmpty()
                        && !m.group(3).equalsIgnoreCase("b")
                        && !m.group(3).equalsIgnoreCase("ib")
                || m.group(3).equalsIgnoreCase("ib") && m.group(2).isEmpty()) {
            return Optional.empty();
        }
        String unit = m.group(2).toUpperCase(Locale.ROOT);
        double number = Double.parseDouble(m.group(1));
        long multiplier = switch (unit) {
            case "K" -> 1L << 10;
            case "M" -> 1L << 20;
            case "G" -> 1L << 30;
            case "T" -> 1L << 40;
            default -> 1;
        };
        if (number != Math.rint(number)) {
            return Optional.of(Math.round(number * multiplier) + "B");
        }
        return Optional.of((long) number + (unit.isEmpty() ? "B" : unit + "B"));
    }

    /** A Go/Compose duration ({@code 1m30s}, {@code 500ms}, {@code 10s}) as drover reads it; empty if not one. */
    static Optional<String> goDuration(String text) {
        String t = text.strip();
        if (!GO_DURATION.matcher(t).matches()) {
            return Optional.empty();
        }
        long nanos = 0;
        Matcher part = Pattern.compile("(\\d+(?:\\.\\d+)?)(ns|us|µs|ms|s|m|h)").matcher(t);
        while (part.find()) {
            double n = Double.parseDouble(part.group(1));
            nanos += (long) (n
                    * switch (part.group(2)) {
                        case "ns" -> 1L;
                        case "us", "µs" -> 1_000L;
                        case "ms" -> 1_000_000L;
                        case "s" -> 1_000_000_000L;
                        case "m" -> 60_000_000_000L;
                        default -> 3_600_000_000_000L;
                    });
        }
        return Optional.of(millis(Math.max(nanos / 1_000_000, nanos > 0 ? 1 : 0)));
    }

    /**
     * Escapes text for drover.yaml so that it reaches the process as written: {@code $$} and
     * {@code ${} would otherwise be read by drover's interpolation.
     */
    static String literal(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            out.append(c);
            if (c == '$' && i + 1 < text.length() && (text.charAt(i + 1) == '$' || text.charAt(i + 1) == '{')) {
                out.append('$');
            }
        }
        return out.toString();
    }
}
