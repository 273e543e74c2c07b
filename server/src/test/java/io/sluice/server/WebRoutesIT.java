package io.sluice.server;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayInputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.zip.GZIPInputStream;

import static org.assertj.core.api.Assertions.assertThat;

/** The page's files over HTTP: types, caching, gzip, and nothing but the listed files. */
class WebRoutesIT {
    static TestServer s;

    @BeforeAll
    static void start() throws Exception {
        s = TestServer.start("web_routes", Map.of());
    }

    @AfterAll
    static void stop() {
        s.close();
    }

    @ParameterizedTest
    @CsvSource({
        "/, text/html; charset=utf-8",
        "/swagger, text/html; charset=utf-8",
        "/assets/app.js, text/javascript; charset=utf-8",
        "/assets/app.css, text/css; charset=utf-8",
        "/assets/favicon.svg, image/svg+xml",
        "/assets/uPlot.iife.min.js, text/javascript; charset=utf-8",
        "/assets/swagger-ui-bundle.js, text/javascript; charset=utf-8",
        "/openapi.json, application/json",
    })
    void eachFileHasItsTypeAnEtagAndNoSniffing(String path, String type) throws Exception {
        HttpResponse<byte[]> r = get(path, Map.of());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).hasValue(type);
        assertThat(r.headers().firstValue("etag")).get().asString().startsWith("W/\"");
        assertThat(r.headers().firstValue("x-content-type-options")).hasValue("nosniff");
        assertThat(r.body().length).isPositive();
    }

    @Test
    void pagesCarryAPolicyThatKeepsThemToSluiceAlone() throws Exception {
        HttpResponse<byte[]> r = get("/", Map.of());
        assertThat(r.headers().firstValue("content-security-policy")).get().asString()
                .contains("default-src 'self'").contains("connect-src 'self' ws: wss:");
        assertThat(r.headers().firstValue("cache-control")).hasValue("no-cache");
        assertThat(get("/assets/uPlot.min.css", Map.of()).headers().firstValue("cache-control"))
                .hasValue("public, max-age=86400");
    }

    @Test
    void anUnchangedFileIsA304WithoutBody() throws Exception {
        String etag = get("/assets/app.js", Map.of()).headers().firstValue("etag").orElseThrow();
        HttpResponse<byte[]> r = get("/assets/app.js", Map.of("If-None-Match", etag));
        assertThat(r.statusCode()).isEqualTo(304);
        assertThat(r.body()).isEmpty();
        assertThat(get("/assets/app.js", Map.of("If-None-Match", "W/\"other\"")).statusCode()).isEqualTo(200);
    }

    @Test
    void aBrowserThatAcceptsGzipGetsTheCompressedCopy() throws Exception {
        HttpResponse<byte[]> plain = get("/assets/swagger-ui-bundle.js", Map.of());
        HttpResponse<byte[]> gz = get("/assets/swagger-ui-bundle.js", Map.of("Accept-Encoding", "gzip, deflate"));
        assertThat(gz.headers().firstValue("content-encoding")).hasValue("gzip");
        assertThat(gz.headers().firstValue("vary")).get().asString().containsIgnoringCase("accept-encoding");
        assertThat(gz.body().length).isLessThan(plain.body().length / 2);
        byte[] inflated = new GZIPInputStream(new ByteArrayInputStream(gz.body())).readAllBytes();
        assertThat(inflated).isEqualTo(plain.body());
        assertThat(get("/assets/swagger-ui-bundle.js", Map.of("Accept-Encoding", "gzip;q=0"))
                .headers().firstValue("content-encoding")).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"/assets/openapi.yaml", "/assets/..%2Fopenapi.yaml", "/assets/%2e%2e%2fweb%2findex.html",
        "/assets/..", "/assets/web/index.html", "/assets/META-INF%2FMANIFEST.MF", "/assets/index.html%00.js",
        "/assets/swagger-initializer.js", "/index.html"})
    void nothingButTheListedFilesIsServed(String path) throws Exception {
        // Sent as written, byte for byte (a client library would normalise the dots away).
        try (Socket socket = new Socket("127.0.0.1", s.server.httpPort())) {
            socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(answer).startsWith("HTTP/1.1 404");
        }
    }

    private static HttpResponse<byte[]> get(String path, Map<String, String> headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(s.uri(path));
        headers.forEach(b::header);
        return s.http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }
}
