package dev.drover.cli;

import java.util.Locale;

/**
 * A number with a fixed count of decimals, as {@code String.format(Locale.ROOT, "%.Nf", value)}
 * writes it (half up, from the shortest decimal that reads back as the value), without the
 * Formatter: its locale data and decimal conversion cost `drover ps` some 10 ms of start-up.
 */
final class Fixed {
    private Fixed() {}

    static String format(double value, int decimals) {
        String shortest = Double.toString(value);
        if (value < 0 || shortest.indexOf('E') >= 0 || !Double.isFinite(value)) {
            return String.format(Locale.ROOT, "%." + decimals + "f", value); // not among ps's figures
        }
        int point = shortest.indexOf('.');
        String fraction = shortest.substring(point + 1);
        StringBuilder digits = new StringBuilder(shortest.substring(0, point));
        if (fraction.length() >= decimals) {
            digits.append(fraction, 0, decimals);
        } else {
            digits.append(fraction).append("0".repeat(decimals - fraction.length()));
        }
        if (fraction.length() > decimals && fraction.charAt(decimals) >= '5') {
            int i = digits.length() - 1;
            while (i >= 0 && digits.charAt(i) == '9') {
                digits.setCharAt(i, '0');
                i--;
            }
            if (i < 0) {
                digits.insert(0, '1');
            } else {
                digits.setCharAt(i, (char) (digits.charAt(i) + 1));
            }
        }
        int whole = digits.length() - decimals;
        return decimals == 0 ? digits.toString() : digits.substring(0, whole) + "." + digits.substring(whole);
    }
}
