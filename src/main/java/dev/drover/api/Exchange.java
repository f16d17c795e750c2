package dev.drover.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.drover.control.ControlException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.eclipse.jetty.util.URIUtil;

/**
 * One request being answered: its path parameters, query and JSON body on the way in, a JSON
 * reply or error on the way out. Bad input is a {@link ControlException} with a 4xx status, which
 * {@link ApiHandler} turns into an error body like any other.
 */
final class Exchange {
    /** The largest request body accepted; more is a 413. */
    static final int MAX_BODY = 64 * 1024;

    private final Request request;
    private final Response response;
    private final Callback callback;
    private Map<String, String> parameters = Map.of();
    private Fields query;

    Exchange(Request request, Response response, Callback callback) {
        this.request = request;
        this.response = response;
        this.callback = callback;
    }

    Request request() {
        return request;
    }

    Response response() {
        return response;
    }

    Callback callback() {
        return callback;
    }

    /** The request path cut at each {@code /}, each segment percent-decoded once. */
    List<String> pathSegments() throws ControlException {
        String path = request.getHttpURI().getPath();
        if (path == null || !path.startsWith("/")) {
            return List.of();
        }
        List<String> segments = new ArrayList<>();
        for (String raw : Arrays.asList(path.substring(1).split("/", -1))) {
            try {
                segments.add(URIUtil.decodePath(raw));
            } catch (IllegalArgumentException e) {
                throw new ControlException(400, "malformed percent-encoding in path " + path);
            }
        }
        return segments;
    }

    void setParameters(Map<String, String> parameters) {
        this.parameters = parameters;
    }

    /** A parameter captured from the path pattern, such as {@code id}. */
    String parameter(String name) {
        return parameters.get(name);
    }

    /** All values of a query parameter, in order. */
    List<String> queryValues(String name) {
        List<String> values = query().getValues(name);
        return values == null ? List.of() : values;
    }

    int intQuery(String name, int fallback) throws ControlException {
        String value = query().getValue(name);
        if (value == null || value.isEmpty()) {
            return fallback;
        }
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new ControlException(400, name + " must be a whole number, got \"" + value + "\"");
        }
    }

    boolean flagQuery(String name) throws ControlException {
        String value = query().getValue(name);
        if (value == null) {
            return false;
        }
        return switch (value) {
            case "", "true", "1", "yes" -> true;
            case "false", "0", "no" -> false;
            default -> throw new ControlException(400, name + " must be true or false, got \"" + value + "\"");
        };
    }

    /** The request body as a JSON object; 413 past {@link #MAX_BODY}, 400 when absent or malformed. */
    JsonNode jsonObjectBody() throws ControlException {
        byte[] bytes = body();
        if (bytes.length == 0) {
            throw new ControlException(400, "a JSON object body is required");
        }
        JsonNode node;
        try {
            node = Json.MAPPER.readTree(bytes);
        } catch (JsonProcessingException e) {
            throw new ControlException(400, "malformed JSON body: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new ControlException(400, "cannot read the request body: " + e.getMessage());
        }
        if (node == null || !node.isObject()) {
            throw new ControlException(400, "the body must be a JSON object");
        }
        return node;
    }

    /** A required text (or number) field of a JSON object body. */
    static String requiredText(JsonNode body, String field) throws ControlException {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            throw new ControlException(400, "missing field \"" + field + "\" in the JSON body");
        }
        if (!value.isTextual() && !value.isIntegralNumber()) {
            throw new ControlException(400, "field \"" + field + "\" must be a string");
        }
        return value.asText();
    }

    void reply(int status, Object body) {
        reply(status, body, null);
    }

    /** Answers with a JSON body; {@code afterward} runs once the response has been completed. */
    void reply(int status, Object body, Runnable afterward) {
        byte[] bytes = Json.bytes(body);
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
        Callback done = afterward == null
                ? callback
                : Callback.from(
                        () -> {
                            callback.succeeded();
                            afterward.run();
                        },
                        callback::failed);
        response.write(true, ByteBuffer.wrap(bytes), done);
    }

    /** Answers with the API's error body, unless the response is already under way. */
    void error(int status, String message, List<String> details) {
        if (response.isCommitted()) {
            callback.failed(new IOException(message));
            return;
        }
        reply(status, Bodies.ErrorBody.of(message, details));
    }

    private Fields query() {
        if (query == null) {
            query = Request.extractQueryParameters(request);
        }
        return query;
    }

    private byte[] body() throws ControlException {
        long declared = request.getLength();
        if (declared > MAX_BODY) {
            throw tooLarge();
        }
        // Not closed: closing before the end fails the request, and past the limit we stop reading
        // on purpose; Jetty discards the rest once the response is complete.
        InputStream in = Content.Source.asInputStream(request);
        try {
            byte[] bytes = in.readNBytes(MAX_BODY + 1);
            if (bytes.length > MAX_BODY) {
                throw tooLarge();
            }
            return bytes;
        } catch (IOException e) {
            throw new ControlException(400, "cannot read the request body: " + e.getMessage());
        }
    }

    private static ControlException tooLarge() {
        return new ControlException(413, "request body over " + MAX_BODY / 1024 + " KiB");
    }
}
