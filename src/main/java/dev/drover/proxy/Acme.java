package dev.drover.proxy;

import dev.drover.config.ProxySpec;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.shredzone.acme4j.Account;
import org.shredzone.acme4j.AccountBuilder;
import org.shredzone.acme4j.Authorization;
import org.shredzone.acme4j.Order;
import org.shredzone.acme4j.Session;
import org.shredzone.acme4j.Status;
import org.shredzone.acme4j.challenge.Http01Challenge;
import org.shredzone.acme4j.connector.HttpConnector;
import org.shredzone.acme4j.connector.NetworkSettings;
import org.shredzone.acme4j.provider.GenericAcmeProvider;
import org.shredzone.acme4j.util.KeyPairUtils;

/**
 * Certificates from an ACME server (Let's Encrypt, or a private one) with acme4j: an account key
 * and a domain key kept in {@code acme.storage}, HTTP-01 challenges answered by the proxy's plain
 * listener, the certificate chain written as PEM beside them — where the HTTPS listener reads it,
 * and reloads it when a renewal replaces it (30 days before it expires).
 */
final class Acme {
    static final String CHALLENGE_PATH = "/.well-known/acme-challenge/";
    private static final Duration RENEW_BEFORE = Duration.ofDays(30);
    private static final Duration WAIT = Duration.ofSeconds(90);

    private final ProxySpec.AcmeSpec spec;
    private final Map<String, String> challenges = new ConcurrentHashMap<>();

    Acme(ProxySpec.AcmeSpec spec) {
        this.spec = spec;
    }

    Path certificate() {
        return spec.storage().resolve("cert.pem");
    }

    Path key() {
        return spec.storage().resolve("domain.key");
    }

    /** The key authorization for an HTTP-01 token being validated now, or null. */
    String challenge(String token) {
        return challenges.get(token);
    }

    /** Whether there is no certificate yet, or it expires within 30 days. */
    boolean due() {
        if (!Files.exists(certificate()) || !Files.exists(key())) {
            return true;
        }
        try (var in = Files.newInputStream(certificate())) {
            X509Certificate cert =
                    (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
            return cert.getNotAfter().toInstant().isBefore(Instant.now().plus(RENEW_BEFORE));
        } catch (Exception e) {
            return true;
        }
    }

    /** Orders a certificate for the domains and writes it (with its key) to the storage directory. */
    void obtain() throws Exception {
        Files.createDirectories(spec.storage());
        Files.setPosixFilePermissions(spec.storage(), PosixFilePermissions.fromString("rwx------"));
        KeyPair accountKey = keyPair(spec.storage().resolve("account.key"));
        Session session = new Session(URI.create(spec.directory()), new Provider(spec.caCert()));
        AccountBuilder builder = new AccountBuilder().agreeToTermsOfService().useKeyPair(accountKey);
        if (spec.email() != null) {
            builder.addEmail(spec.email());
        }
        Account account = builder.create(session);
        Order order = account.newOrder().domains(spec.domains()).create();
        for (Authorization authorization : order.getAuthorizations()) {
            if (authorization.getStatus() == Status.VALID) {
                continue;
            }
            Http01Challenge challenge = authorization
                    .findChallenge(Http01Challenge.class)
                    .orElseThrow(() -> new IOException("the ACME server offers no http-01 challenge for "
                            + authorization.getIdentifier().getDomain()));
            challenges.put(challenge.getToken(), challenge.getAuthorization());
            try {
                challenge.trigger();
                Status status = authorization.waitForCompletion(WAIT);
                if (status != Status.VALID) {
                    challenge.fetch();
                    throw new IOException("the ACME server did not validate "
                            + authorization.getIdentifier().getDomain() + ": "
                            + challenge.getError().map(Object::toString).orElse(status.toString()));
                }
            } finally {
                challenges.remove(challenge.getToken());
            }
        }
        KeyPair domainKey = keyPair(key());
        order.execute(domainKey);
        if (order.waitForCompletion(WAIT) != Status.VALID) {
            throw new IOException("the ACME order did not complete: "
                    + order.getError()
                            .map(Object::toString)
                            .orElse(order.getStatus().toString()));
        }
        Path temp = spec.storage().resolve("cert.pem.new");
        try (Writer out = Files.newBufferedWriter(temp)) {
            order.getCertificate().writeCertificate(out);
        }
        Files.move(temp, certificate(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private static KeyPair keyPair(Path file) throws IOException {
        if (Files.exists(file)) {
            try (Reader in = Files.newBufferedReader(file)) {
                return KeyPairUtils.readKeyPair(in);
            }
        }
        KeyPair pair = KeyPairUtils.createKeyPair(2048);
        Path temp = file.resolveSibling(file.getFileName() + ".new");
        try (Writer out = Files.newBufferedWriter(temp)) {
            KeyPairUtils.writeKeyPair(pair, out);
        }
        Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-------"));
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
        return pair;
    }

    /** acme4j's generic provider, trusting the given CA for the directory's own HTTPS (a private ACME server). */
    private static final class Provider extends GenericAcmeProvider {
        private final Path caCert;

        Provider(Path caCert) {
            this.caCert = caCert;
        }

        @Override
        protected HttpConnector createHttpConnector(NetworkSettings settings) {
            if (caCert == null) {
                return super.createHttpConnector(settings);
            }
            return new HttpConnector(settings) {
                @Override
                public java.net.http.HttpClient.Builder createClientBuilder() {
                    return super.createClientBuilder().sslContext(trusting(caCert));
                }
            };
        }

        private static SSLContext trusting(Path caCert) {
            try (var in = Files.newInputStream(caCert)) {
                KeyStore trust = KeyStore.getInstance("PKCS12");
                trust.load(null, null);
                int i = 0;
                for (var cert : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                    trust.setCertificateEntry("ca" + i++, cert);
                }
                TrustManagerFactory factory =
                        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                factory.init(trust);
                SSLContext context = SSLContext.getInstance("TLS");
                context.init(null, factory.getTrustManagers(), null);
                return context;
            } catch (Exception e) {
                throw new IllegalStateException("cannot trust the CA in " + caCert + ": " + e.getMessage(), e);
            }
        }
    }
}
