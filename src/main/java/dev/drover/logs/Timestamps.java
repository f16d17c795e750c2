package dev.drover.logs;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** UTC timestamps as bytes, formatted once per millisecond however many lines share it. */
final class Timestamps {
    private static final DateTimeFormatter FORMAT =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z' ").withZone(ZoneOffset.UTC);

    private long lastMillis = Long.MIN_VALUE;
    private byte[] last;

    byte[] bytes(long millis) {
        if (millis != lastMillis) {
            last = FORMAT.format(Instant.ofEpochMilli(millis)).getBytes(StandardCharsets.US_ASCII);
            lastMillis = millis;
        }
        return last;
    }
}
