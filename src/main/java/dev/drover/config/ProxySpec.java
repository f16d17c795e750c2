package dev.drover.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * The reverse proxy: where it listens, and how it treats requests.
 *
 * @param listen plain HTTP {@code host:port}
 * @param tls the HTTPS listener, or null
 * @param accessLog one JSON object per request is appended here, or null for none
 * @param maxBody a request body larger than this gets 413
 * @param queueTimeout how long a request waits for a ready instance before 503
 */
public record ProxySpec(
        String listen, TlsSpec tls, Timeouts timeouts, Path accessLog, long maxBody, Duration queueTimeout) {

    public ProxySpec {
        Objects.requireNonNull(listen, "listen");
        Objects.requireNonNull(timeouts, "timeouts");
        Objects.requireNonNull(queueTimeout, "queueTimeout");
    }

    /**
     * @param connect to an upstream
     * @param idle a client or upstream connection that sends nothing for this long is closed
     * @param request the whole exchange with an upstream; then 504
     */
    public record Timeouts(Duration connect, Duration idle, Duration request) {}

    /**
     * The HTTPS listener (HTTP/2 through ALPN, and HTTP/1.1): its certificate from PEM files, reloaded
     * when they change, or obtained and renewed through ACME.
     *
     * @param cert the PEM certificate chain, or null with {@code acme}
     * @param key the PEM private key, or null with {@code acme}
     * @param acme null with {@code cert} and {@code key}
     */
    public record TlsSpec(String listen, Path cert, Path key, AcmeSpec acme) {}

    /**
     * Certificates from an ACME server (HTTP-01 challenges answered on the plain listener).
     *
     * @param directory the ACME directory URL
     * @param domains the names the certificate is for
     * @param caCert a PEM CA to trust for the directory's own HTTPS (a private ACME server), or null
     * @param storage where the account key, domain key and certificate are kept
     */
    public record AcmeSpec(String directory, String email, java.util.List<String> domains, Path caCert, Path storage) {
        public AcmeSpec {
            domains = java.util.List.copyOf(domains);
        }
    }
}
