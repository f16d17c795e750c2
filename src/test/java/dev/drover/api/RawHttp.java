package dev.drover.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/** Hand-written HTTP/1.1 requests over the API's Unix socket, and their answers as they came. */
final class RawHttp {
    private static final ObjectMapper JSON = new ObjectMapper();

    record Answer(int status, Map<String, String> headers, String body) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        JsonNode json() throws IOException {
            return JSON.readTree(body);
        }
    }

    private RawHttp() {}

    static Answer get(Path socket, String target) throws IOException {
        return send(socket, request("GET", target, null));
    }

    static Answer post(Path socket, String target, String body) throws IOException {
        return send(socket, request("POST", target, body));
    }

    static String request(String method, String target, String body) {
        StringBuilder request =
                new StringBuilder(method + " " + target + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n");
        if (body != null) {
            request.append("Content-Type: application/json\r\nContent-Length: ")
                    .append(body.getBytes(StandardCharsets.UTF_8).length)
                    .append("\r\n");
        }
        return request.append("\r\n").append(body == null ? "" : body).toString();
    }

    static Answer send(Path socket, String request) throws IOException {
        return send(socket, request.getBytes(StandardCharsets.UTF_8));
    }

    /** Sends the bytes as they are and reads until the server closes the connection. */
    static Answer send(Path socket, byte[] request) throws IOException {
        try (Stream stream = open(socket, request)) {
            return new Answer(
                    stream.status(),
                    stream.headers(),
                    new String(stream.body().readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    static Stream open(Path socket, String request) throws IOException {
        return open(socket, request.getBytes(StandardCharsets.UTF_8));
    }

    static Stream open(Path socket, byte[] request) throws IOException {
        SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            channel.connect(UnixDomainSocketAddress.of(socket));
            ByteBuffer out = ByteBuffer.wrap(request);
            while (out.hasRemaining()) {
                channel.write(out);
            }
            return new Stream(channel);
        } catch (IOException e) {
            channel.close();
            throw e;
        }
    }

    /** An answer whose body is read as it arrives (de-chunked). */
    static final class Stream implements AutoCloseable {
        private final SocketChannel channel;
        private final InputStream in;
        private final int status;
        private final Map<String, String> headers = new HashMap<>();
        private final InputStream body;

        Stream(SocketChannel channel) throws IOException {
            this.channel = channel;
            this.in = new BufferedInputStream(Channels.newInputStream(channel));
            String statusLine = line(in);
            status = Integer.parseInt(statusLine.split(" ")[1]);
            for (String header = line(in); !header.isEmpty(); header = line(in)) {
                int colon = header.indexOf(':');
                headers.put(
                        header.substring(0, colon).trim().toLowerCase(Locale.ROOT),
                        header.substring(colon + 1).trim());
            }
            body = "chunked".equalsIgnoreCase(headers.get("transfer-encoding")) ? new Dechunked(in) : in;
        }

        int status() {
            return status;
        }

        Map<String, String> headers() {
            return headers;
        }

        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        InputStream body() {
            return body;
        }

        /** The next line of the body, or null at its end. */
        String readLine() throws IOException {
            try {
                return line(body);
            } catch (EOFException e) {
                return null;
            }
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }

    /** The status line and headers of one answer, up to the blank line, each line ended by a newline. */
    static String head(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        for (String l = line(in); !l.isEmpty(); l = line(in)) {
            head.append(l).append('\n');
        }
        return head.toString();
    }

    /** Reads past the body of an answer whose {@link #head} gave a Content-Length. */
    static void skipBody(InputStream in, String head) throws IOException {
        long length = head.lines()
                .filter(l -> l.regionMatches(true, 0, "content-length:", 0, 15))
                .mapToLong(l -> Long.parseLong(l.substring(15).trim()))
                .findFirst()
                .orElseThrow(() -> new IOException("no Content-Length in " + head));
        in.readNBytes((int) length);
    }

    static String line(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                if (line.size() == 0) {
                    throw new EOFException();
                }
                break;
            }
            line.write(b);
        }
        String text = line.toString(StandardCharsets.UTF_8);
        return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
    }

    private static final class Dechunked extends InputStream {
        private final InputStream in;
        private int left;
        private boolean done;

        Dechunked(InputStream in) {
            this.in = in;
        }

        @Override
        public int read() throws IOException {
            if (done) {
                return -1;
            }
            if (left == 0) {
                left = Integer.parseInt(line(in).split(";")[0].trim(), 16);
                if (left == 0) {
                    done = true;
                    return -1;
                }
            }
            int b = in.read();
            if (--left == 0) {
                line(in);
            }
            return b;
        }
    }
}
