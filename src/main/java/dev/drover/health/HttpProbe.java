package dev.drover.health;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Succeeds when a GET of the URL answers with a status from 200 to 399, or with what {@code
 * expect} asks for: an exact status, text the body contains, fields of a JSON body. Each request asks the
 * server to close the connection after answering: a kept-alive probe connection would make a
 * server that waits for its open connections on SIGTERM sit out its stop_timeout.
 */
public record HttpProbe(URI url, Expect expect) implements Probe {
    /** The most of a body an expectation looks at. */
    static final int MAX_BODY = 64 * 1024;

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
            new com.fasterxml.jackson.databind.ObjectMapper();

    /**
     * What the answer must be.
     *
     * @param status the exact status, or null for any from 200 to 399
     * @param body text the body must contain, or null
     * @param json dotted paths into a JSON body ({@code checks.db}) and the text their values must have
     */
    public record Expect(Integer status, String body, java.util.Map<String, String> json) {
        public static final Expect ANY_SUCCESS = new Expect(null, null, java.util.Map.of());

        public Expect {
            json = java.util.Map.copyOf(json);
        }

        boolean readsBody() {
            return body != null || !json.isEmpty();
        }
    }

    public HttpProbe(URI url) {
        this(url, Expect.ANY_SUCCESS);
    }

    static {
        // The JDK's client refuses to set Connection unless allowed, before its first use in the JVM.
        String allowed = System.getProperty("jdk.httpclient.allowRestrictedHeaders", "");
        if (!allowed.toLowerCase(java.util.Locale.ROOT).contains("connection")) {
            System.setProperty(
                    "jdk.httpclient.allowRestrictedHeaders",
                    allowed.isEmpty() ? "connection" : allowed + ",connection");
        }
    }

    private static final HttpClient CLIENT = HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(5))
            .version(HttpClient.Version.HTTP_1_1)
            .build();

    @Override
    public ProbeResult check(Duration timeout) throws InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(url)
                .timeout(timeout)
                .header("Connection", "close")
                .GET()
                .build();
        CompletableFuture<HttpResponse<byte[]>> response = CLIENT.sendAsync(
                request,
                expect.readsBody()
                        ? info -> HttpResponse.BodySubscribers.mapping(
                                HttpResponse.BodySubscribers.ofInputStream(), HttpProbe::head)
                        : info -> HttpResponse.BodySubscribers.replacing(new byte[0]));
        try {
            HttpResponse<byte[]> answer = response.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            String problem = judge(answer.statusCode(), answer.body());
            return problem == null
                    ? ProbeResult.ok("GET " + url + ": " + answer.statusCode())
                    : ProbeResult.failed("GET " + url + ": " + problem);
        } catch (TimeoutException e) {
            response.cancel(true);
            return ProbeResult.failed("GET " + url + ": timed out after " + timeout.toMillis() + "ms");
        } catch (InterruptedException e) {
            // The probes were stopped (the process is stopping): no request may be left open to it.
            response.cancel(true);
            throw e;
        } catch (ExecutionException e) {
            return ProbeResult.failed("GET " + url + ": " + describe(e.getCause(), timeout));
        }
    }

    /** Why the answer does not pass, or null when it does. */
    String judge(int status, byte[] body) {
        if (expect.status() != null ? status != expect.status() : status < 200 || status >= 400) {
            return "status " + status + (expect.status() != null ? " (expected " + expect.status() + ")" : "");
        }
        String text = new String(body, java.nio.charset.StandardCharsets.UTF_8);
        if (expect.body() != null && !text.contains(expect.body())) {
            return "status " + status + ", but the body does not contain \"" + expect.body() + "\": " + shortened(text);
        }
        if (!expect.json().isEmpty()) {
            com.fasterxml.jackson.databind.JsonNode root;
            try {
                root = JSON.readTree(text);
            } catch (IOException e) {
                return "status " + status + ", but the body is not JSON: " + shortened(text);
            }
            for (var field : expect.json().entrySet()) {
                com.fasterxml.jackson.databind.JsonNode value = root;
                for (String part : field.getKey().split("\\.")) {
                    value = value == null ? null : value.get(part);
                }
                String found = value == null || value.isMissingNode()
                        ? null
                        : value.isValueNode() ? value.asText() : value.toString();
                if (!field.getValue().equals(found)) {
                    return "status " + status + ", but " + field.getKey() + " is "
                            + (found == null ? "absent" : "\"" + found + "\"") + " (expected \"" + field.getValue()
                            + "\")";
                }
            }
        }
        return null;
    }

    private static String shortened(String text) {
        String line = text.strip().replaceAll("\\s+", " ");
        return line.length() > 200 ? line.substring(0, 200) + "…" : line;
    }

    /** The first {@link #MAX_BODY} bytes of a body (the rest is not read). */
    private static byte[] head(java.io.InputStream in) {
        try (in) {
            return in.readNBytes(MAX_BODY);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String describe(Throwable cause, Duration timeout) {
        if (cause instanceof HttpTimeoutException) {
            return "timed out after " + timeout.toMillis() + "ms";
        }
        if (cause instanceof ConnectException) {
            return "connection refused";
        }
        if (cause instanceof IOException && cause.getMessage() == null) {
            return cause.getClass().getSimpleName();
        }
        return String.valueOf(cause.getMessage());
    }
}
