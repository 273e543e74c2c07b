package io.sluice.bench;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A certificate for {@code localhost} and {@code 127.0.0.1} made for one run, as Sluice reads
 * them (README "TLS": the certificate in PEM, its key as PKCS#8 PEM), and the client side that
 * trusts it and nothing else. The JDK's {@code keytool} makes the pair (EC P-256, what certbot
 * issues by default), so the harness needs no certificate library.
 */
record SelfSigned(Path cert, Path key, SSLSocketFactory trusting) {
    private static final String ALIAS = "sluice-bench";

    /** Writes {@code cert.pem} and {@code key.pem} into {@code dir} (replacing earlier ones). */
    static SelfSigned make(Path dir) throws IOException, InterruptedException, GeneralSecurityException {
        Files.createDirectories(dir);
        Path store = dir.resolve("bench.p12");
        Files.deleteIfExists(store);
        byte[] random = new byte[12];
        new SecureRandom().nextBytes(random);
        String pass = HexFormat.of().formatHex(random);
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        Process p = new ProcessBuilder(List.of(keytool, "-genkeypair", "-alias", ALIAS, "-keyalg", "EC",
                "-groupname", "secp256r1", "-sigalg", "SHA256withECDSA", "-dname", "CN=localhost",
                "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-validity", "30", "-storetype", "PKCS12",
                "-keystore", store.toString(), "-storepass", pass, "-keypass", pass))
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("keytool could not make a certificate: " + out.strip());
        }
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            ks.load(in, pass.toCharArray());
        }
        PrivateKey key = (PrivateKey) ks.getKey(ALIAS, pass.toCharArray());
        X509Certificate cert = (X509Certificate) ks.getCertificate(ALIAS);
        Files.delete(store);
        Path certPem = dir.resolve("cert.pem");
        Path keyPem = dir.resolve("key.pem");
        Files.writeString(certPem, pem("CERTIFICATE", cert.getEncoded()));
        // Key.getEncoded() of a private key is its PKCS#8 form.
        Files.writeString(keyPem, pem("PRIVATE KEY", key.getEncoded()));

        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        trust.setCertificateEntry(ALIAS, cert);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return new SelfSigned(certPem, keyPem, ctx.getSocketFactory());
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }
}
