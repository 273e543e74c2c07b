package io.sluice.server;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * TLS on the HTTP port (README "TLS") with certificates made here: writes, queries and a
 * {@code wss://} live stream work; TLS 1.2 and 1.3 only; plain HTTP is told to use https; a
 * renewed certificate is served without a restart; a client certificate stands for the token
 * naming its subject. Here with the shipped default, {@code tls_provider = "auto"}, which is
 * BoringSSL on this platform; {@link TlsJdkIT} runs the same with the JDK's provider.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TlsIT {
    static final String READER = "tls-reader-secret-012345";
    static final String WRITER = "tls-writer-secret-012345";
    static final String ADMIN = "tls-admin-secret-0123456";

    Path dir;
    TestCerts.Issued ca;
    TestServer s;
    HttpClient https;

    /** The {@code tls_provider} setting this class runs with. */
    String providerSetting() {
        return "auto";
    }

    /** The implementation that setting must give here (BoringSSL loads on linux-x86_64). */
    String expectedProvider() {
        return "OPENSSL";
    }

    @BeforeAll
    void start(@TempDir Path tmp) throws Exception {
        dir = tmp;
        ca = TestCerts.ca("Sluice Test CA");
        TestCerts.Issued server = TestCerts.server(ca, "sluice-first", 30);
        server.writeCert(dir.resolve("cert.pem"));
        server.writeKey(dir.resolve("key.pem"));
        ca.writeCert(dir.resolve("ca.pem"));
        Files.writeString(dir.resolve("tokens.toml"), """
                [[token]]
                name = "reader"
                secret = "%s"
                scopes = ["read"]
                [[token]]
                name = "writer"
                secret = "%s"
                scopes = ["write"]
                [[token]]
                name = "admin"
                secret = "%s"
                scopes = ["admin"]
                [[token]]
                name = "agent"
                client_cert_subject = "CN=agent-1, O=Example"
                scopes = ["write"]
                """.formatted(READER, WRITER, ADMIN));
        s = TestServer.start("tls_" + providerSetting(), Map.of("tls_cert", dir.resolve("cert.pem").toString(),
                "tls_key", dir.resolve("key.pem").toString(), "tls_client_ca", dir.resolve("ca.pem").toString(),
                "auth_tokens_file", dir.resolve("tokens.toml").toString(), "max_body_bytes", "1048576",
                "tls_provider", providerSetting()));
        https = HttpClient.newBuilder().sslContext(TestCerts.clientTrusting(ca)).connectTimeout(Duration.ofSeconds(5)).build();
    }

    @AfterAll
    void stop() {
        s.close();
    }

    URI uri(String path) {
        return URI.create("https://127.0.0.1:" + s.server.httpPort() + path);
    }

    HttpResponse<String> send(HttpClient c, String method, String path, String token, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Token " + token);
        }
        return c.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The certificate a fresh TLS connection is served, and the protocol agreed. */
    X509Certificate served(SSLContext ctx, String[] protocol, String... offered) throws Exception {
        try (SSLSocket sock = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", s.server.httpPort())) {
            if (offered.length > 0) {
                sock.setEnabledProtocols(offered);
            }
            sock.startHandshake();
            protocol[0] = sock.getSession().getProtocol();
            return (X509Certificate) sock.getSession().getPeerCertificates()[0];
        }
    }

    @Test
    void writesAndQueriesOverTls() throws Exception {
        assertThat(send(https, "POST", "/write", WRITER, "tls_cpu,host=a value=4.5\n").statusCode()).isEqualTo(204);
        HttpResponse<String> q = send(https, "GET", "/v1/query?metric=tls_cpu&start=15m", READER, null);
        assertThat(q.statusCode()).isEqualTo(200);
        assertThat(q.body()).contains("4.5");
    }

    @Test
    void theProviderAskedForServesAndTheConfigurationShowsTheSetting() throws Exception {
        assertThat(s.server.tlsProvider()).isEqualTo(expectedProvider());
        HttpResponse<String> config = send(https, "GET", "/-/config", ADMIN, null);
        assertThat(config.statusCode()).isEqualTo(200);
        assertThat(config.body()).contains("\"key\":\"tls_provider\",\"value\":\"" + providerSetting() + "\",\"default\":\"auto\"");
    }

    @Test
    void tls13AndTls12AreServed() throws Exception {
        String[] protocol = new String[1];
        SSLContext trusting = TestCerts.clientTrusting(ca);
        served(trusting, protocol);
        assertThat(protocol[0]).isEqualTo("TLSv1.3");
        served(trusting, protocol, "TLSv1.2");
        assertThat(protocol[0]).isEqualTo("TLSv1.2");
    }

    /**
     * A client that offers TLS 1.1 at most (RFC 8996 retired it) gets a protocol_version alert
     * (RFC 5246 §7.2.2, code 70). The JDK's client will not offer 1.1 any more, so the hello is
     * written by hand: legacy version 0x0302, ECDHE and RSA CBC suites, no extension that
     * would announce 1.2 or 1.3.
     */
    @Test
    void aClientOfferingOnlyTls11IsRefused() throws Exception {
        java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
        body.write(new byte[] {0x03, 0x02});
        body.write(new byte[32]); // client random
        body.write(0); // no session id
        body.write(new byte[] {0x00, 0x06, (byte) 0xc0, 0x13, (byte) 0xc0, 0x09, 0x00, 0x2f});
        body.write(new byte[] {0x01, 0x00}); // null compression
        byte[] ext = {0x00, 0x0a, 0x00, 0x04, 0x00, 0x02, 0x00, 0x17, // supported_groups: secp256r1
                0x00, 0x0b, 0x00, 0x02, 0x01, 0x00}; // ec_point_formats: uncompressed
        body.write(ext.length >> 8);
        body.write(ext.length);
        body.write(ext);
        byte[] b = body.toByteArray();
        byte[] hello = new byte[9 + b.length];
        hello[0] = 0x16;
        hello[1] = 0x03;
        hello[2] = 0x01;
        hello[3] = (byte) ((b.length + 4) >> 8);
        hello[4] = (byte) (b.length + 4);
        hello[5] = 0x01; // ClientHello
        hello[7] = (byte) (b.length >> 8);
        hello[8] = (byte) b.length;
        System.arraycopy(b, 0, hello, 9, b.length);
        try (java.net.Socket sock = new java.net.Socket("127.0.0.1", s.server.httpPort())) {
            sock.setSoTimeout(30_000);
            sock.getOutputStream().write(hello);
            byte[] alert = sock.getInputStream().readNBytes(7);
            assertThat(alert).hasSize(7);
            assertThat(alert[0]).as("an alert record").isEqualTo((byte) 0x15);
            assertThat(alert[5]).as("fatal").isEqualTo((byte) 2);
            assertThat(alert[6]).as("protocol_version").isEqualTo((byte) 70);
        }
    }

    @Test
    void aLiveStreamOverWss() throws Exception {
        try (WsClient ws = new WsClient(https, URI.create("wss://127.0.0.1:" + s.server.httpPort() + "/v1/live?token=" + READER), true)) {
            ws.send("{\"type\":\"subscribe\",\"id\":\"t\",\"metrics\":[\"tls_live\"]}");
            ws.next("subscribed");
            assertThat(send(https, "POST", "/write", WRITER, "tls_live value=9\n").statusCode()).isEqualTo(204);
            assertThat(ws.next("samples").toString()).contains("\"value\":9");
        }
    }

    @Test
    void plainHttpToTheTlsPortIsToldToUseHttps() throws Exception {
        try (RawHttp c = new RawHttp(s.server.httpPort())) {
            RawHttp.Response r = c.send(RawHttp.get("/-/healthy")).read();
            assertThat(r.status()).isEqualTo(400);
            assertThat(r.body()).contains("use https://");
            assertThat(c.closedByServer()).isTrue();
        }
        assertThat(s.metric("sluice_http_connections_refused_total", "reason", "plain_http_on_tls")).isPositive();
    }

    /** As over plain HTTP: the 413 is read, not reset, while the client sends the rest (close_notify first). */
    @Test
    void aRefusedBodyStillBeingSentOverTlsGetsItsAnswer() throws Exception {
        try (RawHttp c = new RawHttp(TestCerts.clientTrusting(ca).getSocketFactory().createSocket("127.0.0.1",
                s.server.httpPort()))) {
            RawHttp.Response r = c.refusedBodySentToTheEnd(3_000_000, 1_100_000);
            assertThat(r.status()).isEqualTo(413);
            assertThat(r.body()).contains("max_body_bytes=1048576");
            assertThat(c.endedCleanly()).isTrue();
        }
    }

    @Test
    void aClientCertificateStandsForTheTokenNamingItsSubject() throws Exception {
        HttpClient agent = HttpClient.newBuilder().sslContext(TestCerts.client(ca, "CN=agent-1,O=Example").clientContext(ca)).build();
        assertThat(send(agent, "POST", "/write", null, "tls_agent value=1\n").statusCode()).isEqualTo(204);
        assertThat(send(agent, "GET", "/v1/names", null, null).statusCode()).as("agent holds write only").isEqualTo(403);
        HttpClient stranger = HttpClient.newBuilder().sslContext(TestCerts.client(ca, "CN=stranger").clientContext(ca)).build();
        assertThat(send(stranger, "POST", "/write", null, "tls_agent value=2\n").statusCode()).isEqualTo(401);
        assertThat(send(https, "POST", "/write", null, "tls_agent value=3\n").statusCode()).isEqualTo(401);
        TestCerts.Issued otherCa = TestCerts.ca("Other CA");
        HttpClient foreign = HttpClient.newBuilder().sslContext(TestCerts.client(otherCa, "CN=agent-1,O=Example")
                .clientContext(otherCa, ca)).build();
        // The same subject from another CA stands for nothing: the handshake fails or the request is 401.
        try {
            assertThat(send(foreign, "POST", "/write", null, "tls_agent value=4\n").statusCode()).isEqualTo(401);
        } catch (java.io.IOException handshakeRefused) {
            assertThat(handshakeRefused).hasMessageContaining("certificate");
        }
        assertThat(s.count("SELECT count(*) FROM metrics WHERE metric = 'tls_agent'")).isEqualTo(1);
    }

    @Test
    void aRenewedCertificateIsServedWithoutARestart() throws Exception {
        String[] protocol = new String[1];
        SSLContext trusting = TestCerts.clientTrusting(ca);
        assertThat(served(trusting, protocol).getSubjectX500Principal().getName()).isEqualTo("CN=sluice-first");
        TestCerts.Issued renewed = TestCerts.server(ca, "sluice-renewed", 90);
        renewed.writeKey(dir.resolve("key.pem"));
        renewed.writeCert(dir.resolve("cert.pem"));
        await().atMost(Duration.ofSeconds(30)).until(() ->
                served(trusting, protocol).getSubjectX500Principal().getName().equals("CN=sluice-renewed"));
        assertThat(send(https, "POST", "/write", WRITER, "tls_renewed value=1\n").statusCode()).isEqualTo(204);
    }
}
