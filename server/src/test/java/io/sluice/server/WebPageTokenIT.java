package io.sluice.server;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.Keys;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The page against a Sluice that wants a token: a small proxy in front of a real Sluice answers
 * 401 to API calls without {@code Authorization: Bearer s3cret}, as Sluice will once tokens land.
 * The page asks once, keeps the token in the browser and sends it on every call.
 */
class WebPageTokenIT {
    static final String TOKEN = "s3cret";
    static TestServer s;
    static HttpServer proxy;
    static Browser b;
    static final List<String> authorizations = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        s = TestServer.start("web_token", Map.of());
        assertThat(s.post("/write", "token_metric value=1\n").statusCode()).isEqualTo(204);
        proxy = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        proxy.createContext("/", WebPageTokenIT::forward);
        proxy.start();
        b = Browser.start(1280, 900);
    }

    @AfterAll
    static void stop() {
        if (b != null) {
            b.close();
        }
        proxy.stop(0);
        s.close();
    }

    /** Pages and their files are open; the API wants the token. */
    static void forward(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getRawPath();
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        byte[] body;
        int status;
        String type;
        if ((path.startsWith("/v1/") || path.startsWith("/-/")) && !("Bearer " + TOKEN).equals(auth)) {
            status = 401;
            type = "application/json";
            body = "{\"code\":\"unauthorized\",\"message\":\"a token is required\"}".getBytes(StandardCharsets.UTF_8);
        } else {
            if (path.startsWith("/v1/")) {
                authorizations.add(auth);
            }
            try {
                HttpResponse<byte[]> r = s.http.send(HttpRequest.newBuilder(s.uri(ex.getRequestURI().toString()))
                        .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofByteArray());
                status = r.statusCode();
                type = r.headers().firstValue("content-type").orElse("application/octet-stream");
                body = r.body();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
        }
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    @Test
    void a401AsksOnceForATokenThatIsKeptAndSentAsABearerHeader() {
        b.open("http://127.0.0.1:" + proxy.getAddress().getPort() + "/");
        await().atMost(Duration.ofSeconds(20)).until(() -> b.find("#token-dialog").getAttribute("open") != null);
        b.find("#token").sendKeys(TOKEN, Keys.ENTER);

        await().atMost(Duration.ofSeconds(20)).until(() -> !b.all("#names button[data-metric=token_metric]").isEmpty());
        assertThat(b.find("#token-dialog").getAttribute("open")).isNull();
        assertThat(b.js("return localStorage.getItem('sluice.token')")).isEqualTo(TOKEN);
        assertThat(authorizations).isNotEmpty().allMatch(("Bearer " + TOKEN)::equals);

        // Further calls carry the token without asking again.
        b.find("#names button[data-metric=token_metric]").click();
        await().atMost(Duration.ofSeconds(20)).until(() -> b.find("#chart-info").getAttribute("data-points") != null);
        assertThat(b.find("#token-dialog").getAttribute("open")).isNull();
        assertThat((String) b.js("return new URL(arguments[0]).searchParams.get('token')",
                b.js("return import('/assets/api.js').then(api => api.socketUrl('/v1/live'))"))).isEqualTo(TOKEN);

        // The one refused request is the browser's own log line; nothing else went wrong.
        assertThat(Browser.errors(b.console())).allMatch(m -> m.contains("401"));
    }
}
