package dev.drover.config;

import java.math.BigDecimal;
import java.time.Duration;
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
        // In whole nanoseconds where it can be (no more than 6 decimals: a unit is a multiple of a
        // millisecond), without BigDecimal, whose class initialisation alone costs a short command
        // 15-25 ms; the rest (sub-nanosecond decimals) exactly, through it.
        Matcher part = PART.matcher(trimmed);
        long sum = 0;
        boolean tooLong = false;
        int at = 0;
        while (at < trimmed.length()) {
            part.region(at, trimmed.length());
            if (!part.lookingAt()) {
                throw new IllegalArgumentException(EXPECTED + ", got \"" + text + "\"");
            }
            long nanos = Decimals.times(part.group(1), NANOS_PER_UNIT.get(part.group(2)));
            if (nanos == Decimals.INEXACT) {
                return parseExactly(text, trimmed);
            }
            if (nanos == Decimals.TOO_LARGE || sum > Long.MAX_VALUE - nanos) {
                tooLong = true; // said once the whole text has been read, as a malformed part comes first
            } else {
                sum += nanos;
            }
            at = part.end();
        }
        if (at == 0) {
            throw new IllegalArgumentException(EXPECTED + ", got \"" + text + "\"");
        }
        if (tooLong) {
            throw new IllegalArgumentException("duration \"" + text + "\" is too long");
        }
        return Duration.ofNanos(sum);
    }

    /** {@link #parse}'s reading with BigDecimal: any number of decimals, the sum's fraction dropped. */
    static Duration parseExactly(String text, String trimmed) {
        Matcher part = PART.matcher(trimmed);
        BigDecimal nanos = BigDecimal.ZERO;
        int at = 0;
        while (at < trimmed.length()) {
            part.region(at, trimmed.length());
            if (!part.lookingAt()) {
                throw new IllegalArgumentException(EXPECTED + ", got \"" + text + "\"");
            }
            nanos = nanos.add(
                    new BigDecimal(part.group(1)).multiply(BigDecimal.valueOf(NANOS_PER_UNIT.get(part.group(2)))));
            at = part.end();
        }
        if (at == 0) {
            throw new IllegalArgumentException(EXPECTED + ", got \"" + text + "\"");
        }
        if (nanos.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
            throw new IllegalArgumentException("duration \"" + text + "\" is too long");
        }
        return Duration.ofNanos(nanos.longValue());
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
