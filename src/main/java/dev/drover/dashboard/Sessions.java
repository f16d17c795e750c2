package dev.drover.dashboard;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The dashboard's logged-in browsers and the one-time login codes `drover dashboard` hands out.
 * A session is a random id (the HttpOnly cookie) with its own CSRF token, valid for a fixed
 * lifetime from login; a login code is valid once, for a short while.
 *
 * <p>Sessions are kept in a file of the runtime directory (mode 0600, written to a temp file and
 * renamed), so a restarted daemon keeps its open pages logged in. The file holds a SHA-256 of each
 * session id, never the id itself: reading it does not let anyone log in.
 */
final class Sessions {
    /** One logged-in browser. */
    record Session(String id, String csrf, long expiresAtMillis) {}

    /** What the file keeps of a session. */
    record Stored(String csrf, long expiresAtMillis) {}

    /** The file: the sessions, and which token they were opened with. */
    record SessionFile(String realm, Map<String, Stored> sessions) {}

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Clock clock;
    private final Duration lifetime;
    private final Duration codeLifetime;
    private final Path file;
    private final String realm;
    private final Map<String, Stored> sessions = new ConcurrentHashMap<>(); // by the id's hash
    private final Map<String, Long> codes = new ConcurrentHashMap<>();

    /** In memory only. */
    Sessions(Clock clock, Duration lifetime, Duration codeLifetime) {
        this(clock, lifetime, codeLifetime, null, "");
    }

    /**
     * @param file where sessions outlive the daemon, or null to keep them in memory only
     * @param token the token logins are checked against: sessions opened with another one (before
     *     the token was changed) are not taken back from the file
     */
    Sessions(Clock clock, Duration lifetime, Duration codeLifetime, Path file, String token) {
        this.clock = clock;
        this.lifetime = lifetime;
        this.codeLifetime = codeLifetime;
        this.file = file;
        this.realm = hash("drover dashboard sessions for " + (token == null ? "" : token));
        load();
    }

    Session open() {
        dropExpired();
        Session session = new Session(random(), random(), clock.millis() + lifetime.toMillis());
        sessions.put(hash(session.id()), new Stored(session.csrf(), session.expiresAtMillis()));
        save();
        return session;
    }

    /** The live session with this id, or null (unknown, expired, or no cookie at all). */
    Session find(String id) {
        if (id == null) {
            return null;
        }
        String key = hash(id);
        Stored stored = sessions.get(key);
        if (stored == null) {
            return null;
        }
        if (clock.millis() >= stored.expiresAtMillis()) {
            sessions.remove(key);
            return null;
        }
        return new Session(id, stored.csrf(), stored.expiresAtMillis());
    }

    void close(String id) {
        if (id != null && sessions.remove(hash(id)) != null) {
            save();
        }
    }

    /** A new one-time login code. */
    String issueCode() {
        dropExpired();
        String code = random();
        codes.put(code, clock.millis() + codeLifetime.toMillis());
        return code;
    }

    /** Whether the code was issued, has not expired and was not used; it cannot be used again. */
    boolean redeem(String code) {
        if (code == null) {
            return false;
        }
        Long expires = codes.remove(code);
        return expires != null && clock.millis() < expires;
    }

    Duration lifetime() {
        return lifetime;
    }

    private void dropExpired() {
        long now = clock.millis();
        sessions.values().removeIf(s -> now >= s.expiresAtMillis());
        codes.values().removeIf(expires -> now >= expires);
    }

    private void load() {
        if (file == null || !Files.isRegularFile(file)) {
            return;
        }
        try {
            SessionFile stored = JSON.readValue(file.toFile(), SessionFile.class);
            if (realm.equals(stored.realm()) && stored.sessions() != null) {
                sessions.putAll(stored.sessions());
                dropExpired();
            }
        } catch (IOException e) {
            // An unreadable file only logs everybody out.
        }
    }

    private synchronized void save() {
        if (file == null) {
            return;
        }
        try {
            Path temp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.deleteIfExists(temp);
            Files.createFile(temp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.write(temp, JSON.writeValueAsBytes(new SessionFile(realm, new HashMap<>(sessions))));
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            // Sessions still work in memory; only a restart of the daemon logs everybody out.
        }
    }

    private static String hash(String id) {
        try {
            return Base64.getUrlEncoder()
                    .withoutPadding()
                    .encodeToString(MessageDigest.getInstance("SHA-256").digest(id.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    private static String random() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
