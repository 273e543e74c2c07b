package io.sluice.server;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
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
 * {@code wss://} live stream work; plain HTTP is told to use https; a renewed certificate is
 * served without a restart; a client certificate stands for the token naming its subject.
 */
class TlsIT {
    static final String READER = "tls-reader-secret-012345";
    static final String WRITER = "tls-writer-secret-012345";

    @TempDir
    static Path dir;
    static TestCerts.Issued ca;
    static TestServer s;
    static HttpClient https;

    @BeforeAll
    static void start() throws Exception {
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
                name = "agent"
                client_cert_subject = "CN=agent-1, O=Example"
                scopes = ["write"]
                """.formatted(READER, WRITER));
        s = TestServer.start("tls", Map.of("tls_cert", dir.resolve("cert.pem").toString(),
                "tls_key", dir.resolve("key.pem").toString(), "tls_client_ca", dir.resolve("ca.pem").toString(),
                "auth_tokens_file", dir.resolve("tokens.toml").toString(), "max_body_bytes", "1048576"));
        https = HttpClient.newBuilder().sslContext(TestCerts.clientTrusting(ca)).connectTimeout(Duration.ofSeconds(5)).build();
    }

    @AfterAll
    static void stop() {
        s.close();
    }

    static URI uri(String path) {
        return URI.create("https://127.0.0.1:" + s.server.httpPort() + path);
    }

    static HttpResponse<String> send(HttpClient c, String method, String path, String token, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Token " + token);
        }
        return c.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The certificate a fresh TLS connection is served, and the protocol agreed. */
    static X509Certificate served(SSLContext ctx, String[] protocol) throws Exception {
        try (SSLSocket sock = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", s.server.httpPort())) {
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
        String[] protocol = new String[1];
        served(TestCerts.clientTrusting(ca), protocol);
        assertThat(protocol[0]).isIn("TLSv1.3", "TLSv1.2");
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
