package dev.drover.config;

/**
 * The optional TCP listener of the HTTP API (the Unix socket is always on).
 *
 * @param listen {@code host:port}, or null for no TCP listener
 * @param token the bearer token every TCP request must carry; required when listen is set
 */
public record ApiSpec(String listen, String token) {

    /** Keeps the token out of logs and stack traces. */
    @Override
    public String toString() {
        return "ApiSpec[listen=" + listen + ", token=" + (token == null ? "null" : "***") + "]";
    }
}
