package io.sluice.server;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Browsers (README "Browsers"): a page on another site can neither write with a simple
 * {@code text/plain} POST (no preflight protects it) nor open a live stream; an origin in
 * {@code cors_allowed_origins} gets the CORS headers; the page's own origin always works.
 */
class OriginIT {
    static final String ALLOWED = "https://grafana.example.com";
    static final String EVIL = "http://evil.example";
    static TestServer s;

    @BeforeAll
    static void start() throws Exception {
        s = TestServer.start("origin", Map.of("cors_allowed_origins", ALLOWED));
    }

    @AfterAll
    static void stop() {
        s.close();
    }

    static RawHttp.Response exchange(byte[] request) throws Exception {
        try (RawHttp c = new RawHttp(s.server.httpPort())) {
            return c.send(request).read();
        }
    }

    static String upgrade(String origin) {
        return "GET /v1/live HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nOrigin: " + origin + "\r\n\r\n";
    }

    @Test
    void aCrossOriginTextPlainPostIsRefusedAndStoresNothing() throws Exception {
        RawHttp.Response r = exchange(RawHttp.post("/write", "csrf value=1\n", "Content-Type: text/plain", "Origin: " + EVIL));
        assertThat(r.status()).isEqualTo(403);
        assertThat(r.body()).contains("cors_allowed_origins");
        assertThat(r.header("Access-Control-Allow-Origin")).isNull();
        assertThat(s.count("SELECT count(*) FROM series WHERE metric = 'csrf'")).isZero();
        assertThat(s.metric("sluice_auth_failures_total", "reason", "origin")).isPositive();
        RawHttp.Response pre = exchange(RawHttp.request("OPTIONS", "/write", null, "Origin: " + EVIL,
                "Access-Control-Request-Method: POST"));
        assertThat(pre.status()).isEqualTo(403);
    }

    @Test
    void aCrossOriginWebSocketUpgradeIsRefused() throws Exception {
        RawHttp.Response r = exchange(upgrade(EVIL).getBytes());
        assertThat(r.status()).isEqualTo(403);
        assertThat(exchange(upgrade(ALLOWED).getBytes()).status()).isEqualTo(101);
        assertThat(exchange(upgrade("http://localhost:" + s.server.httpPort()).getBytes()).status()).isEqualTo(101);
    }

    @Test
    void anAllowedOriginGetsTheCorsHeadersAndItsPreflightIsAnswered() throws Exception {
        RawHttp.Response pre = exchange(RawHttp.request("OPTIONS", "/api/v2/write", null, "Origin: " + ALLOWED,
                "Access-Control-Request-Method: POST", "Access-Control-Request-Headers: authorization, content-type"));
        assertThat(pre.status()).isEqualTo(204);
        assertThat(pre.header("Access-Control-Allow-Origin")).isEqualTo(ALLOWED);
        assertThat(pre.header("Access-Control-Allow-Methods")).contains("POST");
        assertThat(pre.header("Access-Control-Allow-Headers")).isEqualTo("authorization, content-type");
        RawHttp.Response r = exchange(RawHttp.post("/api/v2/write", "cors value=1\n", "Content-Type: text/plain",
                "Origin: " + ALLOWED));
        assertThat(r.status()).isEqualTo(204);
        assertThat(r.header("Access-Control-Allow-Origin")).isEqualTo(ALLOWED);
        assertThat(r.header("Vary")).contains("Origin");
        assertThat(s.count("SELECT count(*) FROM series WHERE metric = 'cors'")).isEqualTo(1);
    }

    @Test
    void thePagesOwnOriginIsAlwaysAllowed() throws Exception {
        RawHttp.Response r = exchange(RawHttp.post("/write", "same value=1\n", "Origin: http://localhost:" + s.server.httpPort()));
        assertThat(r.status()).isEqualTo(204);
        assertThat(r.header("Access-Control-Allow-Origin")).isNull();
    }

    @Test
    void withoutTokensOnlyRequestsAddressedToLoopbackAreAnswered() throws Exception {
        // DNS rebinding: a site's own name made to point at 127.0.0.1, so its page is "same-origin".
        String host = "evil.example:" + s.server.httpPort();
        RawHttp.Response r = exchange(RawHttp.post("/write", "rebound value=1\n", "Host: " + host, "Origin: http://" + host));
        assertThat(r.status()).isEqualTo(403);
        assertThat(r.body()).contains("addressed to localhost");
        assertThat(s.count("SELECT count(*) FROM series WHERE metric = 'rebound'")).isZero();
        assertThat(exchange(RawHttp.get("/-/healthy")).status()).as("open routes stay open").isEqualTo(200);
        assertThat(exchange(RawHttp.request("GET", "/v1/names", null, "Host: 127.0.0.1:" + s.server.httpPort())).status())
                .isEqualTo(200);
    }
}
