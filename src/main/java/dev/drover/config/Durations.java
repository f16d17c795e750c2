package dev.drover.config;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads durations written as {@code 500ms}, {@code 10s}, {@code 5m}, {@code 1h} or {@code 1m30s}. */
public final class Durations {

    static final String EXPECTED = "expected a duration like 500ms, 10s, 5m";

    // Longest unit first, so that "ms" is not read as minutes followed by garbage.
    private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h)");
    private static final Map<String, Long> NANOS_PER_UNIT =
            Map.of("ms", 1_000_000L, "s", 1_000_000_000L, "m", 60_000_000_000L, "h", 3_600_000_000_000L);

    private Durations() {}

    /**
     * Parses a duration. A bare number other than 0 is rejected: "10" could mean seconds or
     * milliseconds, and guessing wrong is worse than asking.
     *
     * @throws IllegalArgumentException with a message fit for the user
     */
    public static Duration parse(String text) {
        String trimmed = text.strip();
        if (trimmed.equals("0")) {
            return Duration.ZERO;
        }
        List<String[]> parts = parts(text, trimmed);
        // In whole nanoseconds where it can be (no more than 6 decimals: a unit is a multiple of a
        // millisecond), without BigDecimal, whose class initialisation alone costs a short command
        // 15-25 ms; the rest (sub-nanosecond decimals) exactly, through it.
        long sum = 0;
        for (String[] part : parts) {
            long nanos = Decimals.times(part[0], NANOS_PER_UNIT.get(part[1]));
            if (nanos == Decimals.INEXACT) {
                return exactly(text, parts);
            }
            if (nanos == Decimals.TOO_LARGE || sum > Long.MAX_VALUE - nanos) {
                throw tooLong(text);
            }
            sum += nanos;
        }
        return Duration.ofNanos(sum);
    }

    /** {@link #parse}'s reading with BigDecimal alone: any number of decimals, the sum's fraction dropped. */
    static Duration parseExactly(String text) {
        return exactly(text, parts(text, text.strip()));
    }

    /** Each part's number and unit ({@code 1m30s}: 1 m, 30 s); a malformed text is said so before any sum. */
    private static List<String[]> parts(String text, String trimmed) {
        List<String[]> parts = new ArrayList<>();
        Matcher part = PART.matcher(trimmed);
        int at = 0;
        while (at < trimmed.length()) {
            part.region(at, trimmed.length());
            if (!part.lookingAt()) {
                throw new IllegalArgumentException(EXPECTED + ", got \"" + text + "\"");
            }
            parts.add(new String[] {part.group(1), part.group(2)});
            at = part.end();
        }
        if (parts.isEmpty()) {
            throw new IllegalArgumentException(EXPECTED + ", got \"" + text + "\"");
        }
        return parts;
    }

    private static Duration exactly(String text, List<String[]> parts) {
        BigDecimal nanos = BigDecimal.ZERO;
        for (String[] part : parts) {
            nanos = nanos.add(new BigDecimal(part[0]).multiply(BigDecimal.valueOf(NANOS_PER_UNIT.get(part[1]))));
        }
        if (nanos.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
            throw tooLong(text);
        }
        return Duration.ofNanos(nanos.longValue());
    }

    private static IllegalArgumentException tooLong(String text) {
        return new IllegalArgumentException("duration \"" + text + "\" is too long");
    }

    /** Writes a duration back the way a user would, for messages: {@code 1m30s}, {@code 500ms}. */
    public static String format(Duration duration) {
        if (duration.isZero()) {
            return "0s";
        }
        var text = new StringBuilder();
        long hours = duration.toHours();
        int minutes = duration.toMinutesPart();
        int seconds = duration.toSecondsPart();
        int millis = duration.toMillisPart();
        if (hours > 0) {
            text.append(hours).append('h');
        }
        if (minutes > 0) {
            text.append(minutes).append('m');
        }
        if (seconds > 0) {
            text.append(seconds).append('s');
        }
        if (millis > 0 || text.isEmpty()) {
            text.append(millis).append("ms");
        }
        return text.toString();
    }
}
