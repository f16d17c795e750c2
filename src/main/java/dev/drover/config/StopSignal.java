package dev.drover.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/** The signal that asks a process to stop, by name without {@code SIG} and by Linux number. */
public record StopSignal(String name, int number) {

    public static final StopSignal TERM = new StopSignal("TERM", 15);

    private static final Map<String, Integer> KNOWN = known();
    private static final int HIGHEST_LINUX_SIGNAL = 64;

    public StopSignal {
        Objects.requireNonNull(name, "name");
    }

    /**
     * Reads {@code TERM}, {@code SIGTERM}, {@code term} or a number. Numbers outside the named
     * set (real-time signals, for instance) are accepted and named by their number.
     */
    public static Optional<StopSignal> parse(String text) {
        String name = text.strip().toUpperCase(Locale.ROOT);
        if (name.startsWith("SIG")) {
            name = name.substring(3);
        }
        if (KNOWN.containsKey(name)) {
            return Optional.of(new StopSignal(name, KNOWN.get(name)));
        }
        if (name.matches("\\d{1,3}")) {
            int number = Integer.parseInt(name);
            if (number >= 1 && number <= HIGHEST_LINUX_SIGNAL) {
                return Optional.of(KNOWN.entrySet().stream()
                        .filter(e -> e.getValue() == number)
                        .map(e -> new StopSignal(e.getKey(), number))
                        .findFirst()
                        .orElse(new StopSignal(String.valueOf(number), number)));
            }
        }
        return Optional.empty();
    }

    /** The names accepted, for error messages. */
    static String knownNames() {
        return String.join(", ", KNOWN.keySet());
    }

    private static Map<String, Integer> known() {
        Map<String, Integer> known = new LinkedHashMap<>();
        known.put("HUP", 1);
        known.put("INT", 2);
        known.put("QUIT", 3);
        known.put("KILL", 9);
        known.put("USR1", 10);
        known.put("USR2", 12);
        known.put("TERM", 15);
        known.put("CONT", 18);
        known.put("STOP", 19);
        known.put("WINCH", 28);
        return Collections.unmodifiableMap(known);
    }
}
