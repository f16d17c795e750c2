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
 * Succeeds when a GET of the URL answers with a status from 200 to 399. Each request asks the
 * server to close the connection after answering: a kept-alive probe connection would make a
 * server that waits for its open connections on SIGTERM sit out its stop_timeout.
 */
public record HttpProbe(URI url) implements Probe {
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
        CompletableFuture<HttpResponse<Void>> response =
                CLIENT.sendAsync(request, HttpResponse.BodyHandlers.discarding());
        try {
            int status = response.get(timeout.toMillis(), TimeUnit.MILLISECONDS).statusCode();
            return status >= 200 && status < 400
                    ? ProbeResult.ok("GET " + url + ": " + status)
                    : ProbeResult.failed("GET " + url + ": status " + status);
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
