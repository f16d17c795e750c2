package dev.drover.client;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.drover.control.ControlException;
import dev.drover.control.LogEntry;
import dev.drover.control.RouteInfo;
import java.io.IOException;
import java.util.List;

/**
 * The client's side of the API's JSON for logs, routes, reloads and event streams, with one mapper
 * that is built only when a first body needs it (the CLI's start-up time counts). Processes,
 * health and errors are read without Jackson ({@link WireBodies}).
 */
final class WireJson {
    record LogLines(List<LogEntry> lines) {}

    record RouteList(List<RouteInfo> routes) {}

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
}
