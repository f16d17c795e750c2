package dev.drover.config;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads byte sizes like {@code 512KB}, {@code 10MB}, {@code 1GiB}; units are 1024-based. */
public final class Sizes {

    static final String EXPECTED = "expected a size like 512KB, 10MB, 1GB";

    private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([a-z]*)");
    // KB and KiB both mean 1024: for memory limits and log files nobody means 1000, and a
    // silent 2.4% difference between two spellings would only confuse.
    private static final Map<String, Long> UNITS = Map.ofEntries(
            Map.entry("", 1L),
            Map.entry("b", 1L),
            Map.entry("k", 1L << 10),
            Map.entry("kb", 1L << 10),
            Map.entry("kib", 1L << 10),
            Map.entry("m", 1L << 20),
            Map.entry("mb", 1L << 20),
            Map.entry("mib", 1L << 20),
            Map.entry("g", 1L << 30),
            Map.entry("gb", 1L << 30),
            Map.entry("gib", 1L << 30),
            Map.entry("t", 1L << 40),
            Map.entry("tb", 1L << 40),
            Map.entry("tib", 1L << 40));

    private Sizes() {}

    /**
     * Parses a size in bytes; a bare number means bytes.
     *
     * @throws IllegalArgumentException with a message fit for the user
     */
    public static long parse(String text) {
        Matcher size = SIZE.matcher(text.strip().toLowerCase(Locale.ROOT));
        Long unit = size.matches() ? UNITS.get(size.group(2)) : null;
        if (unit == null) {
            throw new IllegalArgumentException(EXPECTED + ", got \"" + text + "\"");
        }
        long exact = Decimals.times(size.group(1), unit);
        if (exact == Decimals.TOO_LARGE) {
            throw new IllegalArgumentException("size \"" + text + "\" is too large");
        }
        if (exact != Decimals.INEXACT) {
            return exact;
        }
        return parseExactly(text, size.group(1), unit);
    }

    /** {@link #parse}'s reading with BigDecimal, for more decimals than {@link Decimals#times} takes. */
    static long parseExactly(String text, String number, long unit) {
        BigDecimal bytes =
                new BigDecimal(number).multiply(BigDecimal.valueOf(unit)).setScale(0, RoundingMode.DOWN);
        if (bytes.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
            throw new IllegalArgumentException("size \"" + text + "\" is too large");
        }
        return bytes.longValue();
    }
}
