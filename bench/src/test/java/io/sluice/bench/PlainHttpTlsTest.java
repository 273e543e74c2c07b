package io.sluice.bench;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The trust scenario's TLS pieces on a real socket: the certificate {@link SelfSigned} writes, read
 * back from its PEM files as a server reads them, and {@link PlainHttp} over {@code https://}
 * trusting that certificate and nothing else.
 */
class PlainHttpTlsTest {
    private HttpsServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    /** A JDK HTTPS server on loopback holding the PEM pair in {@code made}; answers the body's length. */
    private URI serve(SelfSigned made, String host) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("k", readKey(made.key()), new char[0], new Certificate[] {readCert(made.cert())});
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, new char[0]);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(ctx));
        server.createContext("/len", ex -> {
            byte[] out = Integer.toString(ex.getRequestBody().readAllBytes().length).getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, out.length);
            ex.getResponseBody().write(out);
            ex.close();
        });
        server.start();
        return URI.create("https://" + host + ":" + server.getAddress().getPort());
    }

    @Test
    void keepsOneTlsConnectionToAServerHoldingTheMadeCertificate(@TempDir Path dir) throws Exception {
        SelfSigned made = SelfSigned.make(dir);
        for (String host : new String[] {"127.0.0.1", "localhost"}) {
            // Both names are in the certificate; the client checks them as a browser does.
            try (PlainHttp http = new PlainHttp(serve(made, host), 5_000, made.trusting())) {
                for (int i = 0; i < 3; i++) {
                    assertThat(http.post("/len", "text/plain", new byte[100_000 + i])).isEqualTo(200);
                    assertThat(http.body()).isEqualTo(Integer.toString(100_000 + i));
                }
                assertThat(http.connects()).isEqualTo(1);
                assertThat(http.tlsSession()).startsWith("TLSv1.");
            }
            stop();
        }
    }

    @Test
    void refusesAServerWhoseCertificateItWasNotGiven(@TempDir Path dir) throws Exception {
        SelfSigned served = SelfSigned.make(dir.resolve("a"));
        SelfSigned other = SelfSigned.make(dir.resolve("b"));
        try (PlainHttp http = new PlainHttp(serve(served, "127.0.0.1"), 5_000, other.trusting())) {
            assertThatThrownBy(() -> http.get("/len")).isInstanceOf(SSLHandshakeException.class);
        }
    }

    @Test
    void aSchemeAndASocketFactoryMustAgree(@TempDir Path dir) throws Exception {
        SelfSigned made = SelfSigned.make(dir);
        assertThatThrownBy(() -> new PlainHttp(URI.create("https://127.0.0.1:1"), 5_000, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs a TLS socket factory");
        assertThatThrownBy(() -> new PlainHttp(URI.create("http://127.0.0.1:1"), 5_000, made.trusting()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("use https://");
    }

    private static PrivateKey readKey(Path pem) throws Exception {
        String text = Files.readString(pem);
        assertThat(text).startsWith("-----BEGIN PRIVATE KEY-----\n").endsWith("-----END PRIVATE KEY-----\n");
        String body = text.replaceAll("-----[A-Z ]+-----", "");
        return KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(Base64.getMimeDecoder().decode(body)));
    }

    private static Certificate readCert(Path pem) throws IOException, java.security.cert.CertificateException {
        try (InputStream in = Files.newInputStream(pem)) {
            return CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }
}
