package dev.drover.interop;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/** What {@code drover export} writes. */
public enum ExportTarget {
    SYSTEMD,
    COMPOSE,
    KUBERNETES,
    PM2;

    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<ExportTarget> fromName(String name) {
        return Arrays.stream(values())
                .filter(t -> t.cliName().equals(name.strip().toLowerCase(Locale.ROOT)))
                .findFirst();
    }

    public static String names() {
        return Arrays.stream(values()).map(ExportTarget::cliName).collect(Collectors.joining("|"));
    }
}
