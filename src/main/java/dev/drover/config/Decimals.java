package dev.drover.config;

/**
 * A decimal number as written in a configuration ({@code 12}, {@code 1.5}) times a whole unit, in
 * long arithmetic: the common case of {@link Durations} and {@link Sizes} without BigDecimal.
 */
final class Decimals {
    /** The product is larger than {@code Long.MAX_VALUE}. */
    static final long TOO_LARGE = -1;
    /** More decimals than this reads exactly: read it with BigDecimal instead. */
    static final long INEXACT = -2;

    /** Up to 6 decimals: their value times any unit up to 2^43 fits in a long. */
    private static final int MAX_DECIMALS = 6;

    private static final long[] POWERS_OF_TEN = {1, 10, 100, 1_000, 10_000, 100_000, 1_000_000};

    private Decimals() {}

    /**
     * {@code number} (digits, optionally a point and more digits) times {@code unit} (at most
     * 2^43), its fraction dropped; {@link #TOO_LARGE} or {@link #INEXACT} instead.
     */
    static long times(String number, long unit) {
        int point = number.indexOf('.');
        String whole = point < 0 ? number : number.substring(0, point);
        String decimals = point < 0 ? "" : number.substring(point + 1);
        if (decimals.length() > MAX_DECIMALS) {
            return INEXACT;
        }
        int first = 0;
        while (first < whole.length() - 1 && whole.charAt(first) == '0') {
            first++;
        }
        if (whole.length() - first > 19) {
            return TOO_LARGE; // at least 10^19: past a long
        }
        long product;
        try {
            product = Math.multiplyExact(Long.parseLong(whole, first, whole.length(), 10), unit);
        } catch (NumberFormatException | ArithmeticException e) {
            return TOO_LARGE; // 19 digits past a long, or the product past it
        }
        if (!decimals.isEmpty()) {
            long fraction = Long.parseLong(decimals) * unit / POWERS_OF_TEN[decimals.length()];
            if (product > Long.MAX_VALUE - fraction) {
                return TOO_LARGE;
            }
            product += fraction;
        }
        return product;
    }
}
