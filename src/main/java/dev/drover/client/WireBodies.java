package dev.drover.client;

import dev.drover.control.ControlException;
import dev.drover.control.HealthReport;
import dev.drover.control.ProcessInfo;
import dev.drover.control.RunEnd;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The bodies the short commands read — the process list, one process, {@code /health} and error
 * answers — turned into records by {@link WireReader}, without Jackson. Reads them as
 * {@link WireJson}'s mapper does: unknown fields are ignored, a missing number is 0 (null where
 * the record's field is boxed), a missing list empty.
 */
final class WireBodies {
    private WireBodies() {}

    static List<ProcessInfo> processList(byte[] body) throws ControlException {
        try {
            return processes(object(WireReader.parse(body)).get("processes"));
        } catch (IOException | RuntimeException e) {
            throw unreadable(e);
        }
    }

    static ProcessInfo process(byte[] body) throws ControlException {
        try {
            return process(WireReader.parse(body));
        } catch (IOException | RuntimeException e) {
            throw unreadable(e);
        }
    }

    /** The report of {@code GET /health}; its status is null when the body is not one (an error). */
    static HealthReport health(byte[] body) throws ControlException {
        try {
            Map<String, Object> health = object(WireReader.parse(body));
            Map<String, Object> counts = object(health.get("processes"));
            return new HealthReport(
                    text(health, "status"),
                    (int) whole(counts, "total"),
                    (int) whole(counts, "running"),
                    (int) whole(counts, "ready"),
                    processes(counts.get("details")));
        } catch (IOException | RuntimeException e) {
            throw unreadable(e);
        }
    }

    /** The exception an error answer {@code {"error": ..., "detail": ...}} stands for. */
    static ControlException error(int status, byte[] body) {
        try {
            if (WireReader.parse(body) instanceof Map<?, ?> node && node.get("error") instanceof String error) {
                return new ControlException(status, error, details(node.get("detail")));
            }
        } catch (IOException e) {
            // not JSON: fall through to the text
        }
        String text = new String(body, StandardCharsets.UTF_8).strip();
        return new ControlException(
                status, "the drover daemon answered " + status + (text.isEmpty() ? "" : ": " + text));
    }

    /** {@code {"signal": "..."}}, the body of a signal request. */
    static byte[] signalRequest(String signal) {
        StringBuilder out = new StringBuilder("{\"signal\":");
        WireReader.quote(signal, out);
        return out.append('}').toString().getBytes(StandardCharsets.UTF_8);
    }

    /** {@code {"replicas": N}}, the body of a scale request. */
    static byte[] scaleRequest(int replicas) {
        return ("{\"replicas\":" + replicas + "}").getBytes(StandardCharsets.UTF_8);
    }

    private static List<String> details(Object detail) {
        if (detail == null) {
            return List.of();
        }
        if (!(detail instanceof List<?> items)) {
            return List.of(detail instanceof String s ? s : WireReader.write(detail));
        }
        List<String> details = new ArrayList<>();
        for (Object item : items) {
            details.add(item instanceof String s ? s : WireReader.write(item));
        }
        return details;
    }

    private static List<ProcessInfo> processes(Object node) throws IOException {
        if (node == null) {
            return List.of();
        }
        if (!(node instanceof List<?> items)) {
            throw new IOException("expected a list of processes");
        }
        List<ProcessInfo> processes = new ArrayList<>(items.size());
        for (Object item : items) {
            processes.add(process(item));
        }
        return processes;
    }

    private static ProcessInfo process(Object node) throws IOException {
        Map<String, Object> p = object(node);
        Object port = p.get("port");
        Object cpu = p.get("cpu");
        Object memory = p.get("memory");
        return new ProcessInfo(
                text(p, "id"),
                text(p, "name"),
                (int) whole(p, "replica"),
                text(p, "state"),
                text(p, "health"),
                (int) whole(p, "pid"),
                whole(p, "startTime"),
                whole(p, "uptime"),
                (int) whole(p, "restartCount"),
                (int) whole(p, "healthCheckFailures"),
                text(p, "lastHealthCheck"),
                port == null ? null : (int) whole(p, "port"),
                cpu == null ? null : number(cpu, "cpu").doubleValue(),
                memory == null ? null : whole(p, "memory"),
                text(p, "reason"),
                text(p, "waitingFor"),
                Boolean.TRUE.equals(p.get("blocked")),
                runEnd(p.get("lastEnd")),
                (int) whole(p, "failedStarts"),
                whole(p, "nextStartTime"),
                texts(p.get("lastOutput")),
                text(p, "role"),
                Boolean.TRUE.equals(p.get("heldOutOfRotation")),
                schedule(p.get("schedule")),
                notify(p.get("sdNotify")),
                scaled(p.get("scaled")));
    }

    private static dev.drover.control.NotifyInfo notify(Object node) throws IOException {
        if (node == null) {
            return null;
        }
        Map<String, Object> n = object(node);
        return new dev.drover.control.NotifyInfo(
                text(n, "status"),
                (int) whole(n, "mainPid"),
                Boolean.TRUE.equals(n.get("stopping")),
                whole(n, "lastWatchdog"));
    }

    private static ProcessInfo.Scaled scaled(Object node) throws IOException {
        if (node == null) {
            return null;
        }
        Map<String, Object> s = object(node);
        return new ProcessInfo.Scaled((int) whole(s, "replicas"), (int) whole(s, "fileReplicas"));
    }

    private static dev.drover.control.ScheduleInfo schedule(Object node) throws IOException {
        if (node == null) {
            return null;
        }
        Map<String, Object> s = object(node);
        return new dev.drover.control.ScheduleInfo(
                text(s, "expression"),
                whole(s, "lastRun"),
                text(s, "lastResult"),
                whole(s, "nextRun"),
                Boolean.TRUE.equals(s.get("queued")));
    }

    private static RunEnd runEnd(Object node) throws IOException {
        if (node == null) {
            return null;
        }
        Map<String, Object> end = object(node);
        Object exitCode = end.get("exitCode");
        return new RunEnd(
                text(end, "kind"),
                exitCode == null ? null : (int) whole(end, "exitCode"),
                text(end, "signal"),
                Boolean.TRUE.equals(end.get("forced")),
                text(end, "detail"));
    }

    private static List<String> texts(Object node) throws IOException {
        if (node == null) {
            return null;
        }
        if (!(node instanceof List<?> items)) {
            throw new IOException("expected a list of strings");
        }
        List<String> texts = new ArrayList<>(items.size());
        for (Object item : items) {
            if (item != null && !(item instanceof String)) {
                throw new IOException("expected a string in a list, got " + item);
            }
            texts.add((String) item);
        }
        return texts;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> object(Object node) throws IOException {
        if (node == null) {
            return Map.of();
        }
        if (!(node instanceof Map<?, ?>)) {
            throw new IOException("expected an object, got " + node);
        }
        return (Map<String, Object>) node;
    }

    private static String text(Map<String, Object> object, String name) throws IOException {
        Object value = object.get(name);
        if (value != null && !(value instanceof String)) {
            throw new IOException(name + ": expected a string, got " + value);
        }
        return (String) value;
    }

    private static long whole(Map<String, Object> object, String name) throws IOException {
        Object value = object.get(name);
        if (value == null) {
            return 0;
        }
        if (value instanceof Long n) {
            return n;
        }
        if (value instanceof Double d) {
            return d.longValue(); // as Jackson takes a fraction for a whole number: truncated
        }
        throw new IOException(name + ": expected a whole number, got " + value);
    }

    private static Number number(Object value, String name) throws IOException {
        if (!(value instanceof Number n)) {
            throw new IOException(name + ": expected a number, got " + value);
        }
        return n;
    }

    private static ControlException unreadable(Exception e) {
        return new ControlException(502, "the drover daemon sent a body this client cannot read: " + e.getMessage());
    }
}
