package dev.drover.client;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.drover.control.ControlException;
import dev.drover.control.HealthReport;
import dev.drover.control.LogEntry;
import dev.drover.control.ProcessInfo;
import dev.drover.control.RouteInfo;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The client's side of the API's JSON: its bodies, its errors, and one mapper that is built only
 * when a first body needs it (the CLI's start-up time counts).
 */
final class WireJson {
    record ProcessList(List<ProcessInfo> processes) {}

    record LogLines(List<LogEntry> lines) {}

    record RouteList(List<RouteInfo> routes) {}

    record Health(String status, Counts processes) {
        record Counts(int total, int running, int ready, List<ProcessInfo> details) {}

        HealthReport report() {
            Counts counts = processes == null ? new Counts(0, 0, 0, List.of()) : processes;
            return new HealthReport(
                    status,
                    counts.total(),
                    counts.running(),
                    counts.ready(),
                    counts.details() == null ? List.of() : counts.details());
        }
    }

    private static final class Holder {
        // A newer daemon may add fields: ignore what this client does not know.
        static final ObjectMapper MAPPER =
                new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    }

    private WireJson() {}

    static <T> T read(byte[] body, Class<T> type) throws ControlException {
        try {
            return Holder.MAPPER.readValue(body, type);
        } catch (IOException e) {
            throw new ControlException(502, "the drover daemon sent a body this client cannot read: " + e.getMessage());
        }
    }

    static <T> T read(String body, Class<T> type) throws IOException {
        return Holder.MAPPER.readValue(body, type);
    }

    static byte[] write(Object value) {
        try {
            return Holder.MAPPER.writeValueAsBytes(value);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write JSON for " + value, e);
        }
    }

    /** The exception an error answer {@code {"error": ..., "detail": ...}} stands for. */
    static ControlException error(int status, byte[] body) {
        try {
            JsonNode node = Holder.MAPPER.readTree(body);
            if (node != null && node.path("error").isTextual()) {
                return new ControlException(status, node.get("error").asText(), details(node.get("detail")));
            }
        } catch (IOException e) {
            // not JSON: fall through to the text
        }
        String text = new String(body, StandardCharsets.UTF_8).strip();
        return new ControlException(
                status, "the drover daemon answered " + status + (text.isEmpty() ? "" : ": " + text));
    }

    private static List<String> details(JsonNode detail) {
        if (detail == null || detail.isNull() || detail.isMissingNode()) {
            return List.of();
        }
        if (!detail.isArray()) {
            return List.of(detail.isTextual() ? detail.asText() : detail.toString());
        }
        List<String> details = new ArrayList<>();
        detail.forEach(item -> details.add(item.isTextual() ? item.asText() : item.toString()));
        return details;
    }
}
