package dev.drover.proxy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The proxy's own answers (404 no route, 413, 502, 503, 504): a JSON body like the API's errors,
 * or a small HTML page for a browser; each says which process and why.
 */
final class ErrorReplies {
    private ErrorReplies() {}

    static void write(Request request, Response response, Callback callback, int status, String error, String process) {
        if (response.isCommitted()) {
            callback.failed(new IllegalStateException(error));
            return;
        }
        response.setStatus(status);
        if (!request.consumeAvailable()) {
            // Answered before the body arrived: Jetty closes the connection after this answer, so say so, or a
            // client that keeps connections alive sends its next request into a closing one.
            response.getHeaders().put(HttpHeader.CONNECTION, "close");
        }
        String accept = request.getHeaders().get(HttpHeader.ACCEPT);
        boolean browser = accept != null && accept.contains("text/html");
        String body;
        if (browser) {
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/html; charset=utf-8");
            body = "<!doctype html><html><head><meta charset=\"utf-8\"><title>" + status + "</title></head><body><h1>"
                    + status + "</h1><p>" + escape(error) + "</p><p><small>drover</small></p></body></html>\n";
        } else {
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
            body = "{\"error\":\"" + json(error) + "\",\"process\":"
                    + (process == null ? "null" : "\"" + json(process) + "\"") + "}\n";
        }
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
        response.write(true, ByteBuffer.wrap(bytes), callback);
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    static String json(String text) {
        StringBuilder out = new StringBuilder(text.length() + 8);
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }
}
