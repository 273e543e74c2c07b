package io.sluice.server;

import ch.qos.logback.classic.Level;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The requests Grafana's InfluxDB data source (query language InfluxQL) sends, replayed as it
 * sends them: Grafana itself cannot be installed here. The statements are those Grafana's own
 * code builds, filled in as it fills them:
 * <ul>
 *   <li>{@code pkg/tsdb/influxdb/healthcheck.go}: "Save &amp; test" sends {@code SHOW measurements}.</li>
 *   <li>{@code public/app/plugins/datasource/influxdb/influxql_query_builder.ts} ({@code buildMetadataQuery}):
 *       the query editor's lists, {@code SHOW MEASUREMENTS [WITH MEASUREMENT =~ /(?i)x/] [WHERE ...] LIMIT 100},
 *       {@code SHOW TAG KEYS [FROM "m"] [WHERE ...]}, {@code SHOW TAG VALUES FROM "m" WITH KEY = "k" [WHERE ...]},
 *       {@code SHOW FIELD KEYS [FROM "m"]}, {@code SHOW RETENTION POLICIES on "db"}.</li>
 *   <li>{@code pkg/tsdb/influxdb/models/query.go} and {@code query_part.go}: a panel, {@code SELECT mean("value")
 *       FROM "m" WHERE <tags> AND time >= <from>ms and time <= <to>ms GROUP BY time(<interval>)[, "tag"] fill(null)},
 *       an alias as {@code AS "x"}, a tag condition with {@code "k"::tag}.</li>
 *   <li>{@code pkg/tsdb/influxdb/influxql/influxql.go} ({@code createRequest}): {@code /query} with {@code db} and
 *       {@code epoch=ms} in the query string, {@code q} there too for GET, or as a form body for POST
 *       ({@code Content-type: application/x-www-form-urlencoded}); {@code rp} when a policy is chosen.</li>
 * </ul>
 * Each answer is checked for the shape Grafana's parser ({@code influxql/buffered/response_parser.go})
 * reads: {@code results[0]} without {@code error}, {@code series[].columns} and {@code values},
 * times as epoch milliseconds, values numbers or null.
 */
class GrafanaQueriesIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static TestServer s;
    private static long now;
    private static long minute;

    @BeforeAll
    static void start() throws Exception {
        s = TestServer.start("grafana", Map.of());
        now = System.currentTimeMillis();
        minute = (now / 60_000 - 4) * 60_000; // four whole minutes ago
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < 180; i++) { // three minutes, one sample a second per host
            long t = minute + i * 1000L;
            lines.append("gq_cpu,host=a,dc=eu value=").append(i).append(",usage=").append(i * 2).append(' ').append(t).append('\n');
            lines.append("gq_cpu,host=b,dc=us value=").append(1000 + i).append(' ').append(t).append('\n');
        }
        assertThat(s.post("/write?db=grafana&precision=ms", lines.toString()).statusCode()).isEqualTo(204);
    }

    @AfterAll
    static void stop() {
        s.close();
        s = null; // the suite shares one JVM: a closed server held by a static field is memory kept
    }

    @Test
    void saveAndTestCountsMeasurements() throws Exception {
        JsonNode r = get("SHOW measurements");
        assertThat(r.at("/results/0/statement_id").asInt()).isZero();
        assertThat(strings(r.at("/results/0/series/0/values"), 0)).contains("gq_cpu", "gq_cpu_usage");
    }

    @Test
    void theQueryEditorsListsAnswer() throws Exception {
        assertThat(strings(get("SHOW MEASUREMENTS LIMIT 100").at("/results/0/series/0/values"), 0))
                .contains("gq_cpu", "gq_cpu_usage");
        assertThat(strings(get("SHOW MEASUREMENTS WITH MEASUREMENT =~ /(?i)GQ_CPU/ LIMIT 100").at("/results/0/series/0/values"), 0))
                .containsExactly("gq_cpu", "gq_cpu_usage");
        // A tag already chosen in the editor narrows the measurements, tag keys and values listed.
        assertThat(strings(get("SHOW MEASUREMENTS WHERE \"host\" = 'b' LIMIT 100").at("/results/0/series/0/values"), 0))
                .contains("gq_cpu").doesNotContain("gq_cpu_usage");
        assertThat(strings(get("SHOW MEASUREMENTS WITH MEASUREMENT =~ /(?i)gq_/ WHERE \"dc\" = 'eu' LIMIT 100")
                .at("/results/0/series/0/values"), 0)).containsExactly("gq_cpu", "gq_cpu_usage");
        JsonNode keys = get("SHOW TAG KEYS FROM \"gq_cpu\"");
        assertThat(keys.at("/results/0/series/0/columns").toString()).isEqualTo("[\"tagKey\"]");
        assertThat(strings(keys.at("/results/0/series/0/values"), 0)).containsExactly("dc", "host");
        assertThat(strings(get("SHOW TAG KEYS FROM \"gq_cpu\" WHERE \"host\" = 'a'").at("/results/0/series/0/values"), 0))
                .containsExactly("dc", "host");
        assertThat(strings(get("SHOW TAG KEYS").at("/results/0/series/0/values"), 0)).isNotEmpty();
        JsonNode values = get("SHOW TAG VALUES FROM \"gq_cpu\" WITH KEY = \"host\"");
        assertThat(values.at("/results/0/series/0/columns").toString()).isEqualTo("[\"key\",\"value\"]");
        assertThat(strings(values.at("/results/0/series/0/values"), 1)).containsExactly("a", "b");
        assertThat(strings(get("SHOW TAG VALUES FROM \"gq_cpu\" WITH KEY = \"host\" WHERE \"dc\" = 'us'")
                .at("/results/0/series/0/values"), 1)).containsExactly("b");
        assertThat(strings(get("SHOW TAG VALUES FROM \"autogen\".\"gq_cpu\" WITH KEY = \"dc\"")
                .at("/results/0/series/0/values"), 1)).containsExactly("eu", "us");
        JsonNode fields = get("SHOW FIELD KEYS FROM \"gq_cpu\"");
        assertThat(fields.at("/results/0/series/0/columns").toString()).isEqualTo("[\"fieldKey\",\"fieldType\"]");
        assertThat(strings(fields.at("/results/0/series/0/values"), 0)).containsExactly("value", "usage");
        assertThat(get("SHOW FIELD KEYS").at("/results/0/series").size()).isPositive();
        assertThat(get("SHOW RETENTION POLICIES on \"grafana\"").at("/results/0/series/0/values/0/0").asText())
                .isEqualTo("autogen");
    }

    @Test
    void theDefaultPanelDrawsAGroupByTimeSeriesByGetAndByPost() throws Exception {
        String q = "SELECT mean(\"value\") FROM \"gq_cpu\" WHERE time >= " + minute + "ms and time <= " + (minute + 299_999)
                + "ms GROUP BY time(1m) fill(null)";
        for (JsonNode r : List.of(get(q), post(q, null))) {
            JsonNode series = r.at("/results/0/series/0");
            assertThat(series.get("name").asText()).isEqualTo("gq_cpu");
            assertThat(series.get("columns").toString()).isEqualTo("[\"time\",\"mean\"]");
            JsonNode rows = series.get("values");
            assertThat(rows).hasSize(5); // every minute of the range; the last two empty, null
            for (int m = 0; m < 5; m++) {
                assertThat(rows.get(m).get(0).isIntegralNumber()).isTrue();
                assertThat(rows.get(m).get(0).asLong()).isEqualTo(minute + m * 60_000L);
            }
            // minute one: host a 0..59 (mean 29.5), host b 1000..1059 (mean 1029.5): 529.5 over both
            assertThat(rows.get(0).get(1).asDouble()).isEqualTo(529.5);
            assertThat(rows.get(2).get(1).asDouble()).isEqualTo(649.5);
            assertThat(rows.get(3).get(1).isNull()).isTrue();
            assertThat(rows.get(4).get(1).isNull()).isTrue();
        }
    }

    @Test
    void aPanelWithATagConditionGroupByTagAndAliasDrawsOneLinePerTag() throws Exception {
        String range = "time >= " + minute + "ms and time <= " + (minute + 179_999) + "ms";
        JsonNode filtered = get("SELECT mean(\"value\") AS \"cpu\", max(\"usage\") FROM \"gq_cpu\" WHERE (\"host\"::tag = 'a') AND "
                + range + " GROUP BY time(1m) fill(null)");
        JsonNode one = filtered.at("/results/0/series/0");
        assertThat(one.get("columns").toString()).isEqualTo("[\"time\",\"cpu\",\"max\"]");
        assertThat(one.get("values").get(0).get(1).asDouble()).isEqualTo(29.5);
        assertThat(one.get("values").get(0).get(2).asDouble()).isEqualTo(118.0);
        JsonNode grouped = post("SELECT mean(\"value\") FROM \"gq_cpu\" WHERE " + range + " GROUP BY time(1m), \"host\" fill(null)",
                "autogen");
        JsonNode series = grouped.at("/results/0/series");
        assertThat(series).hasSize(2);
        assertThat(series.get(0).get("tags").toString()).isEqualTo("{\"host\":\"a\"}");
        assertThat(series.get(1).get("tags").toString()).isEqualTo("{\"host\":\"b\"}");
        assertThat(series.get(1).at("/values/0/1").asDouble()).isEqualTo(1029.5);
        // A variable chosen in a dashboard arrives as an anchored regex.
        JsonNode variable = get("SELECT mean(\"value\") FROM \"gq_cpu\" WHERE (\"host\" =~ /^b$/) AND " + range
                + " GROUP BY time(1m) fill(null)");
        assertThat(variable.at("/results/0/series/0/values/0/1").asDouble()).isEqualTo(1029.5);
    }

    /**
     * A template variable with several values chosen arrives as an anchored alternation of the
     * escaped values ({@code /^(a|b)$/}, Grafana's {@code interpolateQueryExpr}); it used to be a 400.
     */
    @Test
    void aMultiValueVariableDrawsTheChosenValues() throws Exception {
        String range = "time >= " + minute + "ms and time <= " + (minute + 179_999) + "ms";
        JsonNode perHost = get("SELECT mean(\"value\") FROM \"gq_cpu\" WHERE (\"host\" =~ /^(a|b)$/) AND " + range
                + " GROUP BY time(1m), \"host\" fill(null)");
        JsonNode series = perHost.at("/results/0/series");
        assertThat(series).hasSize(2);
        assertThat(series.get(0).get("tags").toString()).isEqualTo("{\"host\":\"a\"}");
        assertThat(series.get(0).at("/values/0/1").asDouble()).isEqualTo(29.5);
        assertThat(series.get(1).get("tags").toString()).isEqualTo("{\"host\":\"b\"}");
        assertThat(series.get(1).at("/values/0/1").asDouble()).isEqualTo(1029.5);
        // Not grouped by host: one line over both, as without the condition.
        JsonNode both = post("SELECT mean(\"value\") FROM \"gq_cpu\" WHERE (\"host\"::tag =~ /^(?:a|b)$/) AND " + range
                + " GROUP BY time(1m) fill(null)", null);
        assertThat(both.at("/results/0/series/0/values/0/1").asDouble()).isEqualTo(529.5);
        // A value with regex metacharacters, escaped as Grafana does; a value no series has.
        assertThat(get("SELECT max(\"value\") FROM \"gq_cpu\" WHERE (\"host\" =~ /^(b|web\\-9\\.eu)$/) AND " + range
                + " GROUP BY time(1m) fill(none)").at("/results/0/series/0/values/0/1").asDouble()).isEqualTo(1059.0);
        // With another condition: only the series both allow.
        assertThat(get("SELECT mean(\"value\") FROM \"gq_cpu\" WHERE \"host\" =~ /^(a|b)$/ AND \"dc\" = 'eu' AND " + range
                + " GROUP BY time(1m) fill(none)").at("/results/0/series/0/values/0/1").asDouble()).isEqualTo(29.5);
        assertThat(get("SELECT mean(\"value\") FROM \"gq_cpu\" WHERE \"host\" =~ /^(a|b)$/ AND \"host\" = 'c' AND "
                + range + " GROUP BY time(1m) fill(none)").at("/results/0/series").isMissingNode()).isTrue();
        // Raw rows, and a chained variable's list of values.
        assertThat(get("SELECT \"value\" FROM \"gq_cpu\" WHERE \"host\" =~ /^(a|b)$/ AND " + range + " LIMIT 1000")
                .at("/results/0/series/0/values")).hasSize(360);
        assertThat(strings(get("SHOW TAG VALUES FROM \"gq_cpu\" WITH KEY = \"dc\" WHERE \"host\" =~ /^(a|b)$/")
                .at("/results/0/series/0/values"), 1)).containsExactly("eu", "us");
        assertThat(strings(get("SHOW TAG VALUES FROM \"gq_cpu\" WITH KEY = \"dc\" WHERE \"host\" =~ /^(b)$/")
                .at("/results/0/series/0/values"), 1)).containsExactly("us");
    }

    @Test
    void nothingIsLoggedAsAWarningForGrafanasRequests() throws Exception {
        try (LogCapture logs = new LogCapture()) {
            get("SHOW MEASUREMENTS LIMIT 100");
            post("SELECT mean(\"value\") FROM \"gq_cpu\" WHERE time >= " + minute + "ms and time <= " + now
                    + "ms GROUP BY time(10s) fill(null)", null);
            assertThat(logs.events().stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN))).isEmpty();
        }
    }

    /** As Grafana's GET: db, epoch and q in the query string. */
    private static JsonNode get(String q) throws Exception {
        return check(s.get("/query?db=grafana&epoch=ms&q=" + enc(q)));
    }

    /** As Grafana's POST: db, epoch (and rp) in the query string, q in a form body. */
    private static JsonNode post(String q, String rp) throws Exception {
        String target = "/query?db=grafana&epoch=ms" + (rp == null ? "" : "&rp=" + rp);
        return check(s.http.send(HttpRequest.newBuilder(s.uri(target)).timeout(Duration.ofSeconds(30))
                .header("Content-type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("q=" + enc(q))).build(), HttpResponse.BodyHandlers.ofString()));
    }

    private static JsonNode check(HttpResponse<String> r) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
        JsonNode body = JSON.readTree(r.body());
        assertThat(body.get("results").size()).as(r.body()).isEqualTo(1);
        assertThat(body.at("/results/0/error").isMissingNode()).as(r.body()).isTrue();
        for (JsonNode series : body.at("/results/0/series")) {
            int width = series.get("columns").size();
            for (JsonNode row : series.get("values")) {
                assertThat(row.size()).as(r.body()).isEqualTo(width);
            }
        }
        return body;
    }

    private static List<String> strings(JsonNode rows, int column) {
        List<String> out = new ArrayList<>();
        rows.forEach(row -> out.add(row.get(column).asText()));
        return out;
    }

    private static String enc(String q) {
        return URLEncoder.encode(q, StandardCharsets.UTF_8);
    }
}
