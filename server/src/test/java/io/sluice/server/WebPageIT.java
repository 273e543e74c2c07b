package io.sluice.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Sluice's web page in a real headless Chromium: find a metric by search, chart it, watch it
 * live, read the status page, and Swagger UI on /openapi.json; the console stays free of errors.
 */
class WebPageIT {
    static TestServer s;
    static Browser b;
    static final ObjectMapper JSON = new ObjectMapper();
    static final Duration PAGE = Duration.ofSeconds(20);
    static long t0;

    @BeforeAll
    static void start() throws Exception {
        s = TestServer.start("web_page", Map.of());
        t0 = System.currentTimeMillis() / 1000 - 300; // five minutes ago, one sample a second
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < 300; i++) {
            body.append("web_cpu,host=a,region=eu usage=").append(10 + i % 30).append(' ').append(t0 + i).append('\n');
            body.append("web_cpu,host=b,region=us usage=").append(60 + i % 20).append(' ').append(t0 + i).append('\n');
        }
        for (int i = 0; i < 60; i++) {
            body.append("web_live,host=a,region=eu usage=").append(i).append(' ').append(t0 + 240 + i).append('\n');
            body.append("web_live,host=b,region=us usage=").append(i).append(' ').append(t0 + 240 + i).append('\n');
        }
        long d0 = System.currentTimeMillis() / 1000 - 3000; // 3,000 samples in the last 50 minutes
        for (int i = 0; i < 3000; i++) {
            body.append("web_dense value=").append(Math.sin(i / 50.0)).append(' ').append(d0 + i).append('\n');
        }
        assertThat(s.post("/write?precision=s", body.toString()).statusCode()).isEqualTo(204);
        b = Browser.start(1280, 900);
    }

    @AfterAll
    static void stop() {
        if (b != null) {
            b.close();
        }
        s.close();
    }

    @AfterEach
    void theConsoleHasNoErrors() {
        assertThat(Browser.errors(b.console())).as("errors in the browser console").isEmpty();
    }

    String url(String pathAndQuery) {
        return s.uri(pathAndQuery).toString();
    }

    @Test
    void findsAMetricBySearchAndDrawsItsSeriesFromTheRightSource() throws Exception {
        b.open(url("/"));
        WebElement search = b.find("#search");
        search.sendKeys("web_cp");
        await().atMost(PAGE).until(() -> b.all("#names button").size() == 1);
        assertThat(b.find("#names button").getText()).isEqualTo("web_cpu_usage");
        search.sendKeys(Keys.ENTER); // keyboard: Enter chooses the first match

        // The default range, the last hour, is raw samples, every one of them (README "Ask for it").
        await().atMost(PAGE).until(() -> "600".equals(b.find("#chart-info").getAttribute("data-points")));
        assertThat(b.find("#chart-info").getText()).contains("source raw").contains("2 series").contains("600 points");
        assertThat(b.driver.getCurrentUrl()).contains("metric=web_cpu_usage");
        assertThat(b.find("#series-info").getText()).contains("2 series").contains("host").contains("region");
        assertThat(b.all("#series-table tbody tr")).hasSize(2);
        // Both series are on the canvas in their colours (the first two of the palette).
        assertThat(pixelsNear(0x1f, 0x6f, 0xd1)).isGreaterThan(200);
        assertThat(pixelsNear(0xd1, 0x46, 0x1f)).isGreaterThan(200);
        b.screenshot("explore");

        // Over a day: the 1-minute rollup.
        new Select(b.find("#range")).selectByValue("24h");
        await().atMost(PAGE).until(() -> "1m".equals(b.find("#chart-info").getAttribute("data-source")));
        assertThat(b.find("#chart-info").getText()).contains("source 1m").contains("2 series");
        assertThat(b.driver.getCurrentUrl()).contains("range=24h");

        // A tag filter narrows the chart to one series and is kept in the URL.
        new Select(b.find("select[data-tag=host]")).selectByValue("b");
        await().atMost(PAGE).until(() -> b.find("#chart-info").getText().contains("1 series"));
        assertThat(b.all("#series-table tbody tr")).hasSize(1);
        assertThat(b.driver.getCurrentUrl()).contains("tag.host=b");
    }

    @Test
    void withoutAStepTheQueryAsksForOnePointPerPixelOfTheChart() {
        b.open(url("/?metric=web_dense&range=1h&source=raw"));
        await().atMost(PAGE).until(() -> b.find("#chart-info").getAttribute("data-points") != null);
        long width = ((Number) b.js("return document.getElementById('chart').clientWidth")).longValue();
        int points = Integer.parseInt(b.find("#chart-info").getAttribute("data-points"));
        assertThat(points).isLessThan(3000).isBetween((int) width / 2, (int) width);
        assertThat(b.find("#chart-info").getText()).contains("source raw").contains("LTTB to " + width + " px");
    }

    @Test
    void aSharedUrlRestoresTheChartWithItsStepAggregationAndFilter() {
        b.open(url("/?metric=web_cpu_usage&range=15m&step=1m&agg=max&tag.host=b"));
        await().atMost(PAGE).until(() -> b.find("#chart-info").getText().contains("step 60 s, max"));
        assertThat(new Select(b.find("#step")).getFirstSelectedOption().getAttribute("value")).isEqualTo("1m");
        assertThat(new Select(b.find("#agg")).getFirstSelectedOption().getText()).isEqualTo("max");
        await().atMost(PAGE).until(() -> !b.all("select[data-tag=host]").isEmpty());
        assertThat(new Select(b.find("select[data-tag=host]")).getFirstSelectedOption().getText()).isEqualTo("b");
        assertThat(b.find("#chart-info").getText()).contains("1 series");
        assertThat(b.find("#metric-title").getText()).isEqualTo("web_cpu_usage");
    }

    @Test
    void liveAppendsANewlyWrittenSample() throws Exception {
        b.open(url("/?metric=web_live_usage&range=15m&tag.host=a"));
        await().atMost(PAGE).until(() -> "60".equals(b.find("#chart-info").getAttribute("data-points")));
        b.find("#live").sendKeys(Keys.SPACE); // keyboard: Space toggles live
        await().atMost(PAGE).until(() -> b.find("#live-info").getText().contains("new samples are added"));
        assertThat(b.driver.getCurrentUrl()).contains("live=1");

        String line = "web_live,host=a,region=eu usage=4242.5 " + System.currentTimeMillis();
        long sent = System.nanoTime();
        CompletableFuture<HttpResponse<String>> write = s.http.sendAsync(HttpRequest.newBuilder(
                s.uri("/write?precision=ms")).POST(HttpRequest.BodyPublishers.ofString(line)).build(),
                HttpResponse.BodyHandlers.ofString());
        // How soon is printed, not asserted: the machine running the build is shared.
        await().atMost(PAGE).pollInterval(Duration.ofMillis(20))
                .until(() -> "4242.5".equals(b.text("#series-table tr[data-series='host=a, region=eu'] td.last")));
        long ms = (System.nanoTime() - sent) / 1_000_000;
        System.out.println("live sample shown after " + ms + " ms");
        assertThat(write.get().statusCode()).isEqualTo(204);
        assertThat(b.find("#chart-info").getText()).contains("61 points").contains("1 live");
        b.screenshot("live");
    }

    /** Changing a control redraws the chart; live keeps its socket and subscription (it used to reconnect). */
    @Test
    void redrawingTheChartKeepsTheLiveConnection() throws Exception {
        b.open(url("/?metric=web_live_usage&range=15m&tag.host=b&live=1"));
        await().atMost(PAGE).until(() -> b.find("#live-info").getText().contains("new samples are added"));
        b.js("window.__sockets = 0; const W = window.WebSocket;"
                + " window.WebSocket = function (...a) { window.__sockets++; return new W(...a); };");
        String draws = b.find("#chart-info").getAttribute("data-draws");
        b.js("const a = document.getElementById('agg'); a.value = a.options[a.selectedIndex === 0 ? 1 : 0].value;"
                + " a.dispatchEvent(new Event('change'));");
        await().atMost(PAGE).until(() -> !java.util.Objects.equals(draws, b.find("#chart-info").getAttribute("data-draws")));
        assertThat(((Number) b.js("return window.__sockets")).intValue()).isZero();

        assertThat(s.post("/write?precision=ms", "web_live,host=b,region=us usage=77.25 " + System.currentTimeMillis())
                .statusCode()).isEqualTo(204);
        await().atMost(PAGE).until(() -> "77.25".equals(b.text("#series-table tr[data-series='host=b, region=us'] td.last")));
    }

    @Test
    void statusShowsTheIngestCounterMovingTheDatabaseAndTheConfiguration() throws Exception {
        b.open(url("/?view=status"));
        // Read in one script: the cards are redrawn every few seconds, so an element found may go stale.
        String cell = "const c = document.querySelector('#cards tr[data-key=http_line] td:nth-child(2)');"
                + " return c ? c.textContent : null";
        await().atMost(PAGE).until(() -> b.js(cell) != null);
        long before = Long.parseLong((String) b.js(cell));
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < 25; i++) {
            body.append("web_status n=").append(i).append('\n');
        }
        assertThat(s.post("/write", body.toString()).statusCode()).isEqualTo(204);
        await().atMost(PAGE).until(() -> Long.parseLong((String) b.js(cell)) >= before + 25);
        assertThat(b.js("return document.querySelector('#cards [data-key=database] strong').textContent")).isEqualTo("up");
        assertThat(b.js("return document.querySelector('#cards [data-key=series] strong').textContent")).isNotEqualTo("—");
        await().atMost(PAGE).until(() -> !b.all("#config tr[data-key=http_port]").isEmpty());
        assertThat(b.find("#config tr[data-key=http_port] td:nth-child(2)").getText())
                .isEqualTo(Integer.toString(s.server.httpPort()));
        b.screenshot("status");
    }

    @Test
    void aNarrowWindowNeedsNoSidewaysScrolling() throws Exception {
        b.driver.manage().window().setSize(new Dimension(400, 850));
        try {
            for (String page : List.of("/?metric=web_cpu_usage&range=15m", "/?view=status")) {
                b.open(url(page));
                await().atMost(PAGE).until(() -> !b.find("#chart-info").getText().isEmpty()
                        || !b.find("#status-info").getText().isEmpty());
                long overflow = ((Number) b.js("return document.documentElement.scrollWidth - window.innerWidth")).longValue();
                assertThat(overflow).as("sideways overflow on " + page).isLessThanOrEqualTo(0);
            }
            b.screenshot("narrow");
        } finally {
            b.driver.manage().window().setSize(new Dimension(1280, 900));
        }
    }

    @Test
    void swaggerUiShowsEveryOperationOfTheDocument() throws Exception {
        JsonNode doc = JSON.readTree(s.get("/openapi.json").body());
        int operations = 0;
        for (JsonNode path : doc.get("paths")) {
            operations += path.size();
        }
        b.open(url("/swagger"));
        // An operation under two tags is shown twice: count each method and path once.
        String distinct = "return new Set([...document.querySelectorAll('.opblock')].map(o =>"
                + " o.querySelector('.opblock-summary-method').textContent + ' '"
                + " + o.querySelector('.opblock-summary-path').getAttribute('data-path'))).size";
        long expected = operations;
        await().atMost(PAGE).until(() -> ((Number) b.js(distinct)).longValue() == expected);
        assertThat(b.find(".info .title").getText()).contains("Sluice");
        b.screenshot("swagger");
    }

    /** Pixels of the chart's canvas close to one colour (lines are anti-aliased). */
    private long pixelsNear(int r, int g, int bl) {
        return ((Number) b.js("""
                const c = document.querySelector('#chart canvas');
                const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                let n = 0;
                for (let i = 0; i < d.length; i += 4) {
                  if (d[i + 3] > 128 && Math.abs(d[i] - arguments[0]) < 40 && Math.abs(d[i + 1] - arguments[1]) < 40
                      && Math.abs(d[i + 2] - arguments[2]) < 40) n++;
                }
                return n;""", r, g, bl)).longValue();
    }
}
