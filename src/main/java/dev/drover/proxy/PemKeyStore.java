package dev.drover.proxy;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/**
 * A certificate chain and its private key from PEM files (as certbot, openssl and ACME clients
 * write them: PKCS#8, PKCS#1 RSA or SEC1 EC keys) as an in-memory key store for Jetty's TLS.
 */
final class PemKeyStore {
    static final char[] PASSWORD = "drover".toCharArray();

    private PemKeyStore() {}

    static KeyStore load(Path certFile, Path keyFile) throws IOException {
        List<Certificate> chain = new ArrayList<>();
        try (InputStream in = Files.newInputStream(certFile)) {
            chain.addAll(CertificateFactory.getInstance("X.509").generateCertificates(in));
        } catch (java.security.cert.CertificateException e) {
            throw new IOException("cannot read the certificates in " + certFile + ": " + e.getMessage(), e);
        }
        if (chain.isEmpty()) {
            throw new IOException("no certificate in " + certFile);
        }
        PrivateKey key = key(keyFile);
        if (!matches(key, chain.getFirst())) {
            // A renewal caught between its two files, or a wrong pair: never serve a certificate
            // whose key cannot complete a handshake.
            throw new IOException("the key " + keyFile + " does not belong to the certificate in " + certFile);
        }
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("drover", key, PASSWORD, chain.toArray(Certificate[]::new));
            return store;
        } catch (java.security.GeneralSecurityException e) {
            throw new IOException("cannot use the key " + keyFile + " with " + certFile + ": " + e.getMessage(), e);
        }
    }

    /**
     * Whether {@code key} is the private half of the certificate's public key: a signature made with
     * it verifies with the certificate. True for a key this cannot sign with (left to TLS).
     */
    static boolean matches(PrivateKey key, Certificate certificate) {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "Ed25519", "Ed448", "EdDSA" -> key.getAlgorithm();
            default -> null;
        };
        if (algorithm == null) {
            return true;
        }
        byte[] challenge = "drover: does this key belong to this certificate?".getBytes(StandardCharsets.US_ASCII);
        byte[] signature;
        try {
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(challenge);
            signature = signer.sign();
        } catch (java.security.GeneralSecurityException e) {
            return true; // cannot sign with it here: TLS will tell
        }
        try {
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(certificate.getPublicKey());
            verifier.update(challenge);
            return verifier.verify(signature);
        } catch (java.security.GeneralSecurityException e) {
            return false; // e.g. an EC key beside an RSA certificate
        }
    }

    static PrivateKey key(Path keyFile) throws IOException {
        try (Reader reader = Files.newBufferedReader(keyFile);
                PEMParser parser = new PEMParser(reader)) {
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
            for (Object item = parser.readObject(); item != null; item = parser.readObject()) {
                if (item instanceof PEMKeyPair pair) {
                    return converter.getKeyPair(pair).getPrivate();
                }
                if (item instanceof PrivateKeyInfo info) {
                    return converter.getPrivateKey(info);
                }
            }
        }
        throw new IOException("no private key in " + keyFile + " (an encrypted key needs to be decrypted first)");
    }
}
