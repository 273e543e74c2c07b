package io.sluice.server;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Certificates made for a test with BouncyCastle: a CA, and leaf certificates it signs for a
 * server (names {@code localhost} and {@code 127.0.0.1}) or a client. Written as PEM files the
 * way an operator would have them, and usable by a JDK client as key and trust stores.
 */
public final class TestCerts {
    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

    /** A key pair and the certificate for it. */
    public record Issued(KeyPair keys, X509Certificate cert) {
        public void writeCert(Path file) throws Exception {
            Files.writeString(file, pem(cert));
        }

        /** PKCS#8 ("BEGIN PRIVATE KEY"), the form Sluice reads. */
        public void writeKey(Path file) throws Exception {
            Files.writeString(file, pem(new JcaPKCS8Generator(keys.getPrivate(), null).generate()));
        }

        /** A JDK client context presenting this certificate (issued by {@code ca}) and trusting {@code ca}. */
        public SSLContext clientContext(Issued ca) throws Exception {
            return clientContext(ca, ca);
        }

        /** As {@link #clientContext(Issued)}, with the server's certificate checked against {@code trusted}. */
        public SSLContext clientContext(Issued issuer, Issued trusted) throws Exception {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry("me", keys.getPrivate(), new char[0], new java.security.cert.Certificate[] {cert, issuer.cert});
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, new char[0]);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf.getKeyManagers(), trusting(trusted).getTrustManagers(), null);
            return ctx;
        }
    }

    private TestCerts() {
    }

    public static Issued ca(String cn) throws Exception {
        KeyPair kp = keys();
        X500Name name = new X500Name("CN=" + cn);
        X509v3CertificateBuilder b = builder(name, name, kp, Duration.ofDays(30));
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        return new Issued(kp, sign(b, kp));
    }

    /** A server certificate for localhost and 127.0.0.1, valid for {@code days}. */
    public static Issued server(Issued ca, String cn, int days) throws Exception {
        KeyPair kp = keys();
        X509v3CertificateBuilder b = builder(new X500Name(ca.cert.getSubjectX500Principal().getName()),
                new X500Name("CN=" + cn), kp, Duration.ofDays(days));
        b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                new GeneralName(GeneralName.dNSName, "localhost"), new GeneralName(GeneralName.iPAddress, "127.0.0.1")}));
        return new Issued(kp, sign(b, ca.keys));
    }

    public static Issued client(Issued ca, String subject) throws Exception {
        KeyPair kp = keys();
        // From the JDK's reading of the name, so "CN=a,O=b" means what it means to X500Principal (RFC 2253 order).
        X509v3CertificateBuilder b = builder(new X500Name(ca.cert.getSubjectX500Principal().getName()),
                X500Name.getInstance(new javax.security.auth.x500.X500Principal(subject).getEncoded()), kp, Duration.ofDays(30));
        return new Issued(kp, sign(b, ca.keys));
    }

    /** A JDK context trusting only {@code ca}. */
    public static TrustManagerFactory trusting(Issued ca) throws Exception {
        KeyStore ts = KeyStore.getInstance("PKCS12");
        ts.load(null, null);
        ts.setCertificateEntry("ca", ca.cert);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ts);
        return tmf;
    }

    public static SSLContext clientTrusting(Issued ca) throws Exception {
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, trusting(ca).getTrustManagers(), null);
        return ctx;
    }

    private static KeyPair keys() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(256);
        return g.generateKeyPair();
    }

    private static X509v3CertificateBuilder builder(X500Name issuer, X500Name subject, KeyPair kp, Duration valid) {
        Instant now = Instant.now();
        return new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(SERIAL.incrementAndGet()),
                Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(valid)), subject, kp.getPublic());
    }

    private static X509Certificate sign(X509v3CertificateBuilder b, KeyPair signer) throws Exception {
        return new JcaX509CertificateConverter().getCertificate(
                b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer.getPrivate())));
    }

    private static String pem(Object o) throws Exception {
        StringWriter w = new StringWriter();
        try (JcaPEMWriter p = new JcaPEMWriter(w)) {
            p.writeObject(o);
        }
        return w.toString();
    }
}
