package dev.drover.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drover.Waits;
import dev.drover.launch.ProcessRef;
import dev.drover.launch.Signals;
import java.io.ByteArrayInputStream;
import java.net.ServerSocket;
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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * ACME end to end against Debian's pebble (a test ACME server) started by the test, never a public
 * CA: pebble-challtestsrv answers its DNS with 127.0.0.1, pebble validates the HTTP-01 challenge on
 * the proxy's plain listener, and the proxy serves the issued certificate on HTTPS.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ProxyAcmeIT {
    private static final Duration WAIT = Duration.ofSeconds(90);

    @TempDir
    Path dir;

    private ProxyStack stack;
    private final List<Process> servers = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        if (stack != null) {
            stack.close();
        }
        for (Process server : servers) {
            ProcessRef ref = ProcessRef.of((int) server.pid());
            if (ref != null) {
                Signals.send(ref, Signals.SIGKILL);
            }
            server.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private Process server(String name, List<String> command) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve(name + ".out").toFile());
        builder.environment().put("PEBBLE_VA_NOSLEEP", "1");
        builder.environment().put("PEBBLE_WFE_NONCEREJECT", "0");
        Process process = builder.start();
        servers.add(process);
        return process;
    }

    @Test
    void aCertificateIsObtainedFromPebbleThroughHttp01AndServed() throws Exception {
        assertThat(Path.of("/usr/bin/pebble"))
                .as("Debian's pebble test CA (apt-get install pebble; .ci/run installs it)")
                .isExecutable();
        int httpPort = freePort(),
                pebblePort = freePort(),
                managementPort = freePort(),
                dnsPort = freePort(),
                challtestPort = freePort();
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
                        "/CN=pebble",
                        "-addext",
                        "subjectAltName=IP:127.0.0.1,DNS:localhost",
                        "-keyout",
                        "pebble.key",
                        "-out",
                        "pebble.pem")
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .start();
        openssl.getInputStream().readAllBytes();
        assertThat(openssl.waitFor(60, TimeUnit.SECONDS) && openssl.exitValue() == 0)
                .isTrue();
        Files.writeString(dir.resolve("pebble.json"), """
                {"pebble": {"listenAddress": "127.0.0.1:%d", "managementListenAddress": "127.0.0.1:%d",
                  "certificate": "pebble.pem", "privateKey": "pebble.key", "httpPort": %d, "tlsPort": %d,
                  "ocspResponderURL": "", "externalAccountBindingRequired": false}}
                """.formatted(pebblePort, managementPort, httpPort, freePort()));
        server(
                "challtestsrv",
                List.of(
                        "pebble-challtestsrv",
                        "-defaultIPv4",
                        "127.0.0.1",
                        "-defaultIPv6",
                        "",
                        "-dns01",
                        "127.0.0.1:" + dnsPort,
                        "-http01",
                        "",
                        "-https01",
                        "",
                        "-tlsalpn01",
                        "",
                        "-management",
                        "127.0.0.1:" + challtestPort));
        server("pebble", List.of("pebble", "-config", "pebble.json", "-dnsserver", "127.0.0.1:" + dnsPort));
        Waits.until(
                WAIT,
                "pebble to listen",
                () -> Files.readString(dir.resolve("pebble.out")).contains("Listening on"),
                () -> Files.readString(dir.resolve("pebble.out")));

        stack = new ProxyStack(dir);
        stack.start("""
                proxy:
                  listen: "127.0.0.1:%d"
                  tls:
                    listen: "127.0.0.1:0"
                    acme: {directory: "https://127.0.0.1:%d/dir", email: ops@example.test, domains: [app.example.test], ca_cert: pebble.pem}
                routes:
                  - {path: /, process: web}
                processes:
                  web:
                    command: ["python3", "backend.py"]
                    port: auto
                    readiness: {http: "http://127.0.0.1:${PORT}/health", interval: 100ms}
                """.formatted(httpPort, pebblePort));
        Pattern https = Pattern.compile("proxy: https on 127\\.0\\.0\\.1:(\\d+)");
        Waits.until(
                WAIT,
                "the certificate from pebble",
                () -> https.matcher(stack.log()).find(),
                () -> stack.log() + "\n--- pebble:\n" + Files.readString(dir.resolve("pebble.out")));
        Matcher m = https.matcher(stack.log());
        assertThat(m.find()).isTrue();
        int tlsPort = Integer.parseInt(m.group(1));
        assertThat(stack.log()).contains("certificate for app.example.test obtained");
        assertThat(dir.resolve(".drover/acme/cert.pem")).exists();
        assertThat(dir.resolve(".drover/acme/domain.key")).exists();

        // The chain must verify against pebble's root, which pebble hands out on its management port.
        HttpClient management = HttpClient.newBuilder()
                .sslContext(trusting(Files.readString(dir.resolve("pebble.pem"))))
                .build();
        String root = management
                .send(
                        HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + managementPort + "/roots/0"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
        SSLContext trustsPebble = trusting(root);
        try (SSLSocket socket = (SSLSocket) trustsPebble.getSocketFactory().createSocket("127.0.0.1", tlsPort)) {
            var parameters = socket.getSSLParameters();
            parameters.setServerNames(List.of(new javax.net.ssl.SNIHostName("app.example.test")));
            socket.setSSLParameters(parameters);
            socket.startHandshake();
            X509Certificate served = (X509Certificate) socket.getSession().getPeerCertificates()[0];
            assertThat(served.getSubjectAlternativeNames())
                    .anySatisfy(name -> assertThat(name.get(1)).isEqualTo("app.example.test"));
            socket.getOutputStream()
                    .write("GET /over-tls HTTP/1.1\r\nHost: app.example.test\r\nConnection: close\r\n\r\n".getBytes());
            String answer = new String(socket.getInputStream().readAllBytes());
            assertThat(answer).startsWith("HTTP/1.1 200").contains("/over-tls");
        }
    }

    private static SSLContext trusting(String pem) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        int i = 0;
        for (var cert : CertificateFactory.getInstance("X.509")
                .generateCertificates(new ByteArrayInputStream(pem.getBytes()))) {
            trust.setCertificateEntry("c" + i++, cert);
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, factory.getTrustManagers(), null);
        return context;
    }
}
