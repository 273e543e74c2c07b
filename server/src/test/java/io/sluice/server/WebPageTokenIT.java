package io.sluice.server;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.Keys;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The page against real Sluices with tokens (README "Open the web page", "Tokens and scopes"):
 * one without an anonymous entry, where the page asks once for a token with read scope, keeps it,
 * sends it as a header and as {@code ?token=} on the live socket, asks again saying why when a
 * token is refused, and says the configuration needs an admin token; and one whose anonymous
 * entry grants read, where the page never asks.
 */
class WebPageTokenIT {
    static final String WRITER = "web-writer-0123456789abcd";
    static final String READER = "web-reader-0123456789abcd";
    static final String ADMIN = "web-admin-0123456789abcde";
    static final String WRONG = "web-wrong-0123456789abcde";
    static final Duration PAGE = Duration.ofSeconds(20);
    /** Counts the token dialog's openings in every document the browser loads. */
    static final String COUNT_ASKS = "window.__asks = 0; const open = HTMLDialogElement.prototype.showModal;"
            + " HTMLDialogElement.prototype.showModal = function () { window.__asks++; return open.call(this); };";

    @TempDir
    static Path dir;
    static TestServer tokens;
    static TestServer anonymous;

    @BeforeAll
    static void start() throws Exception {
        String file = token("writer", WRITER, "\"write\"") + token("reader", READER, "\"read\"")
                + token("admin", ADMIN, "\"read\", \"admin\"");
        Files.writeString(dir.resolve("tokens.toml"), file);
        Files.writeString(dir.resolve("anonymous.toml"), file + "[anonymous]\nscopes = [\"read\"]\n");
        tokens = TestServer.start("web_token", Map.of("auth_tokens_file", dir.resolve("tokens.toml").toString()));
        anonymous = TestServer.start("web_anonymous", Map.of("auth_tokens_file", dir.resolve("anonymous.toml").toString()));
        long t0 = System.currentTimeMillis() / 1000 - 300;
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < 60; i++) {
            body.append("token_metric,host=a value=").append(i).append(' ').append(t0 + i * 5).append('\n');
        }
        for (TestServer s : List.of(tokens, anonymous)) {
            assertThat(write(s, "/write?precision=s", body.toString()).statusCode()).isEqualTo(204);
        }
    }

    @AfterAll
    static void stop() {
        tokens.close();
        anonymous.close();
    }

    static String token(String name, String secret, String scopes) {
        return "[[token]]\nname = \"" + name + "\"\nsecret = \"" + secret + "\"\nscopes = [" + scopes + "]\n";
    }

    static HttpResponse<String> write(TestServer s, String target, String body) throws Exception {
        return s.http.send(HttpRequest.newBuilder(s.uri(target)).header("Authorization", "Token " + WRITER)
                .POST(HttpRequest.BodyPublishers.ofString(body)).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void withoutAnonymousReadsThePageAsksOnceThenChartsLiveAndStatusWorkWithTheKeptToken() throws Exception {
        try (Browser b = Browser.start(1280, 900)) {
            b.driver.executeCdpCommand("Page.addScriptToEvaluateOnNewDocument", Map.of("source", COUNT_ASKS));
            b.open(tokens.uri("/").toString());
            await().atMost(PAGE).until(() -> dialogOpen(b));
            assertThat(b.find("#token-why").getText()).contains("read scope");
            assertThat(asks(b)).isEqualTo(1);

            // A wrong token is refused, forgotten, and asked for again saying so.
            b.find("#token").sendKeys(WRONG, Keys.ENTER);
            await().atMost(PAGE).until(() -> dialogOpen(b) && b.find("#token-why").getText().contains("refused"));
            assertThat(asks(b)).isEqualTo(2);
            assertThat(b.js("return localStorage.getItem('sluice.token')")).isNull();
            b.screenshot("token-refused");

            b.find("#token").sendKeys(READER, Keys.ENTER);
            await().atMost(PAGE).until(() -> !b.all("#names button[data-metric=token_metric]").isEmpty());
            assertThat(dialogOpen(b)).isFalse();
            assertThat(b.js("return localStorage.getItem('sluice.token')")).isEqualTo(READER);

            b.find("#names button[data-metric=token_metric]").click();
            liveShowsANewSample(b, tokens, "/?metric=token_metric");
            assertThat((String) b.js("return import('/assets/api.js').then(api => api.socketUrl('/v1/live'))"))
                    .endsWith("?token=" + READER);

            // Status with a read token: the counters, and the configuration said to need admin.
            b.find("#nav-status").click();
            statusCountsWrites(b, tokens);
            await().atMost(PAGE).until(() -> !b.all("#config tr[data-key=needs-admin]").isEmpty());
            assertThat(b.find("#config tr[data-key=needs-admin]").getText()).contains("needs an admin token");
            assertThat(asks(b)).isEqualTo(2);
            b.screenshot("token-status-read");

            // Asked for by the user, an admin token shows it.
            b.find("#config-token").click();
            await().atMost(PAGE).until(() -> dialogOpen(b));
            b.find("#token").sendKeys(ADMIN, Keys.ENTER);
            await().atMost(PAGE).until(() -> !b.all("#config tr[data-key=http_port]").isEmpty());
            assertThat(asks(b)).isEqualTo(3);

            // A new visit asks nothing: the token is kept.
            b.open(tokens.uri("/?metric=token_metric&range=15m").toString());
            await().atMost(PAGE).until(() -> b.find("#chart-info").getAttribute("data-points") != null);
            assertThat(asks(b)).isZero();
            assertOnlyRefusalsInTheConsole(b, tokens);
        }
    }

    @Test
    void whereTheAnonymousEntryGrantsReadThePageNeverAsks() throws Exception {
        try (Browser b = Browser.start(1280, 900)) {
            b.driver.executeCdpCommand("Page.addScriptToEvaluateOnNewDocument", Map.of("source", COUNT_ASKS));
            b.open(anonymous.uri("/?metric=token_metric&range=15m").toString());
            liveShowsANewSample(b, anonymous, null);
            assertThat((String) b.js("return import('/assets/api.js').then(api => api.socketUrl('/v1/live'))"))
                    .doesNotContain("token=");

            b.find("#nav-status").click();
            statusCountsWrites(b, anonymous);
            await().atMost(PAGE).until(() -> !b.all("#config tr[data-key=needs-admin]").isEmpty());
            assertThat(b.find("#config tr[data-key=needs-admin]").getText()).contains("needs an admin token");
            assertThat(asks(b)).isZero();
            assertThat(b.js("return localStorage.getItem('sluice.token')")).isNull();
            assertOnlyRefusalsInTheConsole(b, anonymous);
        }
    }

    /** The chart of token_metric draws; live on, a sample written now shows in the series table. */
    static void liveShowsANewSample(Browser b, TestServer s, String expectedUrl) throws Exception {
        await().atMost(PAGE).until(() -> "60".equals(b.find("#chart-info").getAttribute("data-points")));
        if (expectedUrl != null) {
            assertThat(b.driver.getCurrentUrl()).contains(expectedUrl);
        }
        b.find("#live").click();
        await().atMost(PAGE).until(() -> b.find("#live-info").getText().contains("new samples are added"));
        String value = Long.toString(System.nanoTime() % 100_000 + 100_000);
        assertThat(write(s, "/write?precision=ms", "token_metric,host=a value=" + value + " "
                + System.currentTimeMillis()).statusCode()).isEqualTo(204);
        // The one-second promise is WebPageIT's; here it is that the live socket is let in at all.
        await().atMost(PAGE).until(() -> value.equals(b.text("#series-table tr[data-series='host=a'] td.last")));
    }

    /** The status view reads /-/metrics: its http_line counter moves by what was written. */
    static void statusCountsWrites(Browser b, TestServer s) throws Exception {
        String cell = "const c = document.querySelector('#cards tr[data-key=http_line] td:nth-child(2)');"
                + " return c ? c.textContent : null";
        await().atMost(PAGE).until(() -> b.js(cell) != null);
        long before = Long.parseLong((String) b.js(cell));
        assertThat(write(s, "/write", "token_status n=1\ntoken_status n=2\n").statusCode()).isEqualTo(204);
        await().atMost(PAGE).until(() -> Long.parseLong((String) b.js(cell)) >= before + 2);
    }

    static boolean dialogOpen(Browser b) {
        return b.find("#token-dialog").getAttribute("open") != null;
    }

    static long asks(Browser b) {
        return ((Number) b.js("return window.__asks")).longValue();
    }

    /**
     * Chromium writes every 401 and 403 answer to the console as an error of its own ("Failed to
     * load resource"), whatever the page does with it. Those lines, for this server's API, are
     * the only errors allowed; anything the page itself logged or threw fails the test.
     */
    static void assertOnlyRefusalsInTheConsole(Browser b, TestServer s) {
        Pattern refused = Pattern.compile(Pattern.quote(s.uri("/").toString()) + "(v1|-)/\\S* - Failed to load resource:"
                + " the server responded with a status of 40[13] \\((Unauthorized|Forbidden)\\)");
        List<String> errors = Browser.errors(b.console());
        System.out.println("console errors: " + errors);
        assertThat(errors).allMatch(m -> refused.matcher(m).matches());
    }
}
