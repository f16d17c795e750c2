package dev.drover.api;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Checks {@code Authorization: Bearer <token>} headers against the configured token in constant
 * time: both sides are hashed first, so neither the position of the first wrong character nor the
 * token's length shows in how long the check takes.
 */
public final class BearerToken {
    enum Verdict {
        ACCEPTED,
        MISSING,
        INVALID
    }

    private static final String SCHEME = "bearer ";

    private final byte[] expected;

    public BearerToken(String token) {
        this.expected = digest(token);
    }

    Verdict check(String authorization) {
        if (authorization == null || authorization.isBlank()) {
            return Verdict.MISSING;
        }
        if (authorization.length() < SCHEME.length()
                || !authorization.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
            return Verdict.INVALID;
        }
        String presented = authorization.substring(SCHEME.length()).strip();
        return MessageDigest.isEqual(expected, digest(presented)) ? Verdict.ACCEPTED : Verdict.INVALID;
    }

    /** Whether {@code presented} (the bare token, as typed on the dashboard's login page) is the token. */
    public boolean matches(String presented) {
        return presented != null && MessageDigest.isEqual(expected, digest(presented.strip()));
    }

    private static byte[] digest(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
