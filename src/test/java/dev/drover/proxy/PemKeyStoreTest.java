package dev.drover.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** PEM pairs made by openssl, as a renewal would leave them. */
@Timeout(120)
class PemKeyStoreTest {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"rsa:2048", "ec", "ed25519"})
    void aMatchingPairLoadsAndTheKeyOfAnotherCertificateIsRefused(String type) throws Exception {
        String newKey = type.equals("ec") ? "ec:" + ecParameters() : type;
        certificate("first", newKey);
        certificate("second", newKey);
        KeyStore store = PemKeyStore.load(dir.resolve("first.pem"), dir.resolve("first.key"));
        assertThat(store.containsAlias("drover")).isTrue();
        // Half a renewal: the new key beside the old certificate.
        assertThatThrownBy(() -> PemKeyStore.load(dir.resolve("first.pem"), dir.resolve("second.key")))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("does not belong to the certificate");
    }

    @Test
    void aKeyOfTheWrongTypeIsRefused() throws Exception {
        certificate("ec", "ec:" + ecParameters());
        certificate("rsa", "rsa:2048");
        assertThatThrownBy(() -> PemKeyStore.load(dir.resolve("rsa.pem"), dir.resolve("ec.key")))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("does not belong to the certificate");
    }

    /** A prime256v1 parameter file for openssl's `-newkey ec:FILE`. */
    private String ecParameters() throws Exception {
        Path file = dir.resolve("p256.pem");
        if (!file.toFile().exists()) {
            openssl("ecparam", "-name", "prime256v1", "-out", file.toString());
        }
        return file.toString();
    }

    private void certificate(String name, String newKey) throws Exception {
        openssl(
                "req",
                "-x509",
                "-newkey",
                newKey,
                "-nodes",
                "-days",
                "2",
                "-subj",
                "/CN=" + name,
                "-keyout",
                dir.resolve(name + ".key").toString(),
                "-out",
                dir.resolve(name + ".pem").toString());
    }

    private static void openssl(String... args) throws Exception {
        String[] command = new String[args.length + 1];
        command[0] = "openssl";
        System.arraycopy(args, 0, command, 1, args.length);
        Process openssl = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(openssl.getInputStream().readAllBytes());
        assertThat(openssl.waitFor(60, TimeUnit.SECONDS)).as(output).isTrue();
        assertThat(openssl.exitValue()).as(output).isZero();
    }
}
