package dev.drover.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drover.Waits;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The proxy's HTTPS listener: a PEM certificate made by the test, HTTP/2 by ALPN, and a renewal picked up without a restart. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ProxyTlsIT {
    @TempDir
    Path dir;

    private ProxyStack stack;

    @AfterEach
    void stop() throws Exception {
        if (stack != null) {
            stack.close();
        }
    }

    /** A self-signed certificate for 127.0.0.1 and localhost, made with openssl. */
    private void certificate(String name, String commonName) throws Exception {
        Process openssl = new ProcessBuilder(
                        "openssl",
                        "req",
                        "-x509",
                        "-newkey",
                        "rsa:2048",
                        "-nodes",
                        "-days",
                        "2",
                        "-subj",
                        "/CN=" + commonName,
                        "-addext",
                        "subjectAltName=IP:127.0.0.1,DNS:localhost",
                        "-keyout",
                        dir.resolve(name + ".key").toString(),
                        "-out",
                        dir.resolve(name + ".pem").toString())
                .redirectErrorStream(true)
                .start();
        String output = new String(openssl.getInputStream().readAllBytes());
        assertThat(openssl.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(openssl.exitValue()).as(output).isZero();
    }

    private static X509Certificate read(Path pem) throws Exception {
        try (InputStream in = Files.newInputStream(pem)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }

    private HttpClient trusting(Path... pems) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        for (int i = 0; i < pems.length; i++) {
            trust.setCertificateEntry("c" + i, read(pems[i]));
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, factory.getTrustManagers(), null);
        return HttpClient.newBuilder()
                .sslContext(context)
                .version(HttpClient.Version.HTTP_2)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
    }

    @Test
    void servesHttp2OverTlsWithAPemCertificateAndPicksUpARenewedOne() throws Exception {
        certificate("site", "first");
        certificate("renewed", "second");
        stack = new ProxyStack(dir);
        stack.start("""
                proxy:
                  listen: "127.0.0.1:0"
                  tls: {listen: "127.0.0.1:0", cert: site.pem, key: site.key}
                routes:
                  - {path: /, process: web}
                processes:
                  web:
                    command: ["python3", "backend.py"]
                    port: auto
                    readiness: {http: "http://127.0.0.1:${PORT}/health", interval: 100ms}
                """);
        assertThat(stack.tlsPort).isPositive();
        URI uri = URI.create("https://127.0.0.1:" + stack.tlsPort + "/secure");
        HttpResponse<String> response = trusting(dir.resolve("site.pem"), dir.resolve("renewed.pem"))
                .send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.version()).as("HTTP/2 through ALPN").isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(stack.json(response).get("headers").get("x-forwarded-proto").asText())
                .isEqualTo("https");
        assertThat(served(uri)).isEqualTo("CN=first");

        // certbot-style renewal: the files are replaced; the proxy notices and serves the new one.
        Files.copy(
                dir.resolve("renewed.key"), dir.resolve("site.key"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.copy(
                dir.resolve("renewed.pem"), dir.resolve("site.pem"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Waits.until(
                Duration.ofSeconds(30),
                "the renewed certificate",
                () -> served(uri).equals("CN=second"),
                stack::log);
        assertThat(stack.log()).contains("proxy: reloaded the certificate");
        assertThat(stack.get("/plain").statusCode())
                .as("the plain listener serves on")
                .isEqualTo(200);
    }

    /** The subject of the certificate the HTTPS listener presents now (a fresh connection each time). */
    private String served(URI uri) throws Exception {
        HttpResponse<String> response = trusting(dir.resolve("renewed.pem"), dir.resolve(firstPem()))
                .send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
        return ((X509Certificate) response.sslSession().orElseThrow().getPeerCertificates()[0])
                .getSubjectX500Principal()
                .getName();
    }

    /** The first certificate, kept aside before the renewal overwrites site.pem. */
    private String firstPem() throws Exception {
        Path kept = dir.resolve("first-kept.pem");
        if (!Files.exists(kept)) {
            Files.copy(dir.resolve("site.pem"), kept);
        }
        return kept.getFileName().toString();
    }
}
