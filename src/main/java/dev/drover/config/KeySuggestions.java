package dev.drover.config;

import java.util.Collection;
import java.util.Locale;
import java.util.Optional;

/** Finds the known name an unknown one was probably meant to be ({@code restrat} → {@code restart}): config keys, commands. */
public final class KeySuggestions {

    private static final int MAX_DISTANCE = 2;

    private KeySuggestions() {}

    /** The closest known key within edit distance 2 (ignoring case), the first one on a tie. */
    public static Optional<String> closest(String unknown, Collection<String> known) {
        String best = null;
        int bestDistance = MAX_DISTANCE + 1;
        for (String candidate : known) {
            if (Math.abs(unknown.length() - candidate.length()) > MAX_DISTANCE) {
                // The distance is at least the difference in length; comparing a long key costs length².
                continue;
            }
            int distance = distance(unknown.toLowerCase(Locale.ROOT), candidate.toLowerCase(Locale.ROOT));
            if (distance < bestDistance) {
                best = candidate;
                bestDistance = distance;
            }
        }
        return Optional.ofNullable(best);
    }

    /**
     * Optimal-string-alignment distance: Levenshtein plus swapping two neighbours as one edit,
     * the commonest typo ({@code restrat}).
     */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
