package dev.drover.health;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;

/** Succeeds when a GET of the URL answers with a status from 200 to 399. */
public record HttpProbe(URI url) implements Probe {
    private static final HttpClient CLIENT = HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(5))
            .version(HttpClient.Version.HTTP_1_1)
            .build();

    @Override
    public ProbeResult check(Duration timeout) throws InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(url).timeout(timeout).GET().build();
        try {
            int status = CLIENT.sendAsync(request, HttpResponse.BodyHandlers.discarding())
                    .orTimeout(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)
                    .get()
                    .statusCode();
            return status >= 200 && status < 400
                    ? ProbeResult.ok("GET " + url + ": " + status)
                    : ProbeResult.failed("GET " + url + ": status " + status);
        } catch (java.util.concurrent.ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof HttpTimeoutException || cause instanceof java.util.concurrent.TimeoutException) {
                return ProbeResult.failed("GET " + url + ": timed out after " + timeout.toMillis() + "ms");
            }
            String message = cause instanceof IOException && cause.getMessage() == null ? cause.getClass().getSimpleName() : String.valueOf(cause.getMessage());
            return ProbeResult.failed("GET " + url + ": " + message);
        }
    }
}
