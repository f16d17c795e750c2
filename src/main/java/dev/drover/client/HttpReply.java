package dev.drover.client;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The head of an HTTP/1.1 response (status and headers) and a stream over its body, whether the
 * body has a Content-Length, is chunked, or runs to the end of the connection.
 */
final class HttpReply {
    private static final int MAX_HEAD_LINE = 64 * 1024;
    private static final int MAX_HEADERS = 100;

    private final int status;
    private final Map<String, String> headers;
    private final InputStream body;

    private HttpReply(int status, Map<String, String> headers, InputStream body) {
        this.status = status;
        this.headers = headers;
        this.body = body;
    }

    /** Reads the status line and headers from {@code in}; the body is left to read. */
    static HttpReply read(InputStream in) throws IOException {
        String statusLine = line(in);
        String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
            throw new IOException("not an HTTP/1.x response: " + statusLine);
        }
        int status;
        try {
            status = Integer.parseInt(parts[1]);
        } catch (NumberFormatException e) {
            throw new IOException("bad status line: " + statusLine);
        }
        Map<String, String> headers = new HashMap<>();
        for (String header = line(in); !header.isEmpty(); header = line(in)) {
            int colon = header.indexOf(':');
            if (colon <= 0 || headers.size() > MAX_HEADERS) {
                throw new IOException("bad header line: " + header);
            }
            String name = header.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            headers.merge(name, header.substring(colon + 1).trim(), (a, b) -> a + ", " + b);
        }
        return new HttpReply(status, headers, body(headers, in));
    }

    int status() {
        return status;
    }

    /** A header's value (repeated headers joined with ", "), or null. */
    String header(String name) {
        return headers.get(name.toLowerCase(Locale.ROOT));
    }

    InputStream body() {
        return body;
    }

    /** One line of the head or of chunk framing, without its CR LF. */
    static String line(InputStream in) throws IOException {
        return new String(lineBytes(in, MAX_HEAD_LINE), StandardCharsets.ISO_8859_1);
    }

    /** The bytes of one line without its LF (or CR LF); EOFException at the end before any byte. */
    static byte[] lineBytes(InputStream in, int maxLine) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(128);
        while (true) {
            int b = in.read();
            if (b < 0) {
                if (line.size() == 0) {
                    throw new EOFException("connection closed");
                }
                break;
            }
            if (b == '\n') {
                break;
            }
            if (line.size() >= maxLine) {
                throw new IOException("line over " + maxLine + " bytes");
            }
            line.write(b);
        }
        byte[] bytes = line.toByteArray();
        int length = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
        return length == bytes.length ? bytes : Arrays.copyOf(bytes, length);
    }

    private static InputStream body(Map<String, String> headers, InputStream in) throws IOException {
        String encoding = headers.get("transfer-encoding");
        if (encoding != null && encoding.toLowerCase(Locale.ROOT).contains("chunked")) {
            return new ChunkedInputStream(in);
        }
        String length = headers.get("content-length");
        if (length != null) {
            try {
                return new BoundedInputStream(in, Long.parseLong(length.trim()));
            } catch (NumberFormatException e) {
                throw new IOException("bad Content-Length: " + length);
            }
        }
        return in; // Connection: close: the body ends with the connection
    }

    /** The first {@code remaining} bytes of a stream. */
    private static final class BoundedInputStream extends InputStream {
        private final InputStream in;
        private long remaining;

        BoundedInputStream(InputStream in, long length) {
            this.in = in;
            this.remaining = length;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            if (remaining <= 0) {
                return -1;
            }
            int n = in.read(buffer, offset, (int) Math.min(length, remaining));
            if (n < 0) {
                throw new EOFException("connection closed " + remaining + " bytes before the end of the body");
            }
            remaining -= n;
            return n;
        }
    }
}
