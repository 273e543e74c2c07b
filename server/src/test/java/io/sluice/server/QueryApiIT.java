package io.sluice.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The native query API over HTTP, on data written through /write. */
class QueryApiIT {
    static TestServer s;
    static final ObjectMapper JSON = new ObjectMapper();
    static long t0;

    @BeforeAll
    static void load() throws Exception {
        s = TestServer.start("query_api", Map.of());
        t0 = System.currentTimeMillis() / 1000 - 600; // ten minutes ago, one sample a second
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < 600; i++) {
            body.append("qa,host=a,region=eu usage=").append(i).append(' ').append(t0 + i).append('\n');
            body.append("qa,host=b,region=us usage=").append(1000 + i).append(' ').append(t0 + i).append('\n');
        }
        assertThat(s.post("/write?precision=s", body.toString()).statusCode()).isEqualTo(204);
    }

    @AfterAll
    static void stop() {
        s.close();
    }

    static JsonNode get(String path) throws Exception {
        HttpResponse<String> r = s.get(path);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    @Test
    void rawRangeOfOneSeries() throws Exception {
        JsonNode r = get("/v1/query?metric=qa_usage&host=a&start=" + t0 + "&end=" + (t0 + 60));
        assertThat(r.get("source").asText()).isEqualTo("raw");
        assertThat(r.get("series")).hasSize(1);
        JsonNode s0 = r.get("series").get(0);
        assertThat(s0.get("tags").get("host").asText()).isEqualTo("a");
        assertThat(s0.get("points")).hasSize(60);
        assertThat(s0.get("points").get(0).get(0).asLong()).isEqualTo(t0 * 1000);
        assertThat(s0.get("points").get(59).get(1).asDouble()).isEqualTo(59);
    }

    @Test
    void rawRangeOfTwoSeriesListsEachOnceWithItsPointsInTimeOrder() throws Exception {
        JsonNode r = get("/v1/query?metric=qa_usage&start=" + t0 + "&end=" + (t0 + 60));
        assertThat(r.get("series")).hasSize(2);
        for (JsonNode series : r.get("series")) {
            double offset = series.get("tags").get("host").asText().equals("a") ? 0 : 1000;
            JsonNode points = series.get("points");
            assertThat(points).hasSize(60);
            for (int i = 0; i < 60; i++) {
                assertThat(points.get(i).get(0).asLong()).isEqualTo((t0 + i) * 1000);
                assertThat(points.get(i).get(1).asDouble()).isEqualTo(offset + i);
            }
        }
        assertThat(r.get("series").get(0).get("tags").get("host").asText())
                .isNotEqualTo(r.get("series").get(1).get("tags").get("host").asText());
    }

    @Test
    void timesFinerThanAMillisecondAreDecimalMilliseconds() throws Exception {
        long us = (t0 + 100) * 1_000_000L + 250;
        assertThat(s.post("/write?precision=us", "qa_fine value=0.1 " + us).statusCode()).isEqualTo(204);
        String path = "/v1/query?metric=qa_fine&start=" + (t0 + 99) + "&end=" + (t0 + 101);
        // Written as plain decimal milliseconds, never in exponent form (1.7954E12).
        assertThat(s.get(path).body()).contains("[" + java.math.BigDecimal.valueOf(us, 3).stripTrailingZeros().toPlainString() + ",");
        JsonNode p = get(path).get("series").get(0).get("points");
        assertThat(p.get(0).get(0).isFloatingPointNumber()).isTrue();
        assertThat(p.get(0).get(0).decimalValue()).isEqualByComparingTo(java.math.BigDecimal.valueOf(us, 3));
        assertThat(p.get(0).get(1).asDouble()).isEqualTo(0.1);
    }

    @Test
    void valuesComeBackAsTheShortestDecimalThatReadsBackTheSame() throws Exception {
        String[] values = {"0.30000000000000004", "1.0E-5", "2.82879384806159E17", "12345.678", "-0.001", "50.0"};
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < values.length; i++) {
            body.append("qa_text value=").append(values[i]).append(' ').append(t0 + 200 + i).append('\n');
        }
        assertThat(s.post("/write?precision=s", body.toString()).statusCode()).isEqualTo(204);
        String answer = s.get("/v1/query?metric=qa_text&start=" + (t0 + 200) + "&end=" + (t0 + 210)).body();
        for (int i = 0; i < values.length; i++) {
            assertThat(answer).contains("[" + (t0 + 200 + i) * 1000 + "," + values[i] + "]");
        }
    }

    @Test
    void stepBucketsWithEachAggregation() throws Exception {
        long start = (t0 / 60 + 1) * 60; // a whole minute inside the data
        String q = "/v1/query?metric=qa_usage&host=a&start=" + start + "&end=" + (start + 60) + "&step=1m&agg=";
        long first = start - t0;
        assertThat(get(q + "avg").get("series").get(0).get("points").get(0).get(1).asDouble()).isEqualTo(first + 29.5);
        assertThat(get(q + "max").get("series").get(0).get("points").get(0).get(1).asDouble()).isEqualTo(first + 59);
        assertThat(get(q + "count").get("series").get(0).get("points").get(0).get(1).asDouble()).isEqualTo(60);
        assertThat(get(q + "last").get("series").get(0).get("points").get(0).get(1).asDouble()).isEqualTo(first + 59);
        assertThat(get(q + "avg").get("step_ms").asLong()).isEqualTo(60_000);
    }

    @Test
    void pointsDownsamplesEachSeriesWithLttb() throws Exception {
        JsonNode r = get("/v1/query?metric=qa_usage&start=15m&points=50");
        assertThat(r.get("series")).hasSize(2);
        for (JsonNode series : r.get("series")) {
            assertThat(series.get("points")).hasSize(50);
        }
        assertThat(r.get("source").asText()).isEqualTo("raw");
        JsonNode rollup = get("/v1/query?metric=qa_usage&host=b&start=7d&points=800");
        assertThat(rollup.get("source").asText()).isEqualTo("1h");
    }

    @Test
    void catalogueEndpoints() throws Exception {
        assertThat(get("/v1/series?metric=qa_usage&region=us").get("series")).hasSize(1);
        assertThat(get("/v1/names?prefix=qa").get("names").toString()).contains("qa_usage");
        assertThat(get("/v1/tags/host/values?metric=qa_usage").get("values").toString()).isEqualTo("[\"a\",\"b\"]");
        JsonNode latest = get("/v1/latest?metric=qa_usage&host=b").get("latest");
        assertThat(latest).hasSize(1);
        assertThat(latest.get(0).get("value").asDouble()).isEqualTo(1599);
        // A late sample older than the newest does not replace it; a newer one does, at once.
        assertThat(s.post("/write?precision=s", "qa,host=b,region=us usage=-1 " + (t0 + 10)).statusCode()).isEqualTo(204);
        assertThat(get("/v1/latest?metric=qa_usage&host=b").get("latest").get(0).get("value").asDouble()).isEqualTo(1599);
        assertThat(s.post("/write", "qa,host=b,region=us usage=2000").statusCode()).isEqualTo(204);
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(() ->
                get("/v1/latest?metric=qa_usage&host=b").get("latest").get(0).get("value").asDouble() == 2000);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "/v1/query?start=1h|metric",
            "/v1/query?metric=qa_usage&start=yesterday|start",
            "/v1/query?metric=qa_usage&end=soon|end",
            "/v1/query?metric=qa_usage&start=now&end=1h|end",
            "/v1/query?metric=qa_usage&step=fast|step",
            "/v1/query?metric=qa_usage&points=1|points",
            "/v1/query?metric=qa_usage&points=many|points",
            "/v1/query?metric=qa_usage&step=1m&agg=median|agg",
            "/v1/query?metric=qa_usage&source=5m|source",
            "/v1/query?metric=qa_usage&start=3d&step=1s|step",
            "/v1/series?limit=0|limit",
    })
    void badParametersAre400NamingTheParameter(String path, String param) throws Exception {
        HttpResponse<String> r = s.get(path);
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(r.body()).get("message").asText()).startsWith(param + ":");
    }

    @Test
    void anUnknownMetricIsAnEmptyAnswer() throws Exception {
        assertThat(get("/v1/query?metric=" + URLEncoder.encode("no such", StandardCharsets.UTF_8)).get("series")).isEmpty();
    }
}
