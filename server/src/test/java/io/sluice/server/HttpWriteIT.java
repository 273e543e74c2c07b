package io.sluice.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;

/** The HTTP write and operations endpoints, through real sockets into a real PostgreSQL. */
class HttpWriteIT {
    static TestServer s;
    static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void start() throws Exception {
        s = TestServer.start("http_write", Map.of("max_body_bytes", "65536"));
    }

    @AfterAll
    static void stop() {
        s.close();
    }

    @Test
    void lineProtocolWriteAnswers204OnlyOnceTheRowsAreCommitted() throws Exception {
        long t = Instant.now().getEpochSecond();
        HttpResponse<String> r = s.post("/write?precision=s",
                "cpu,host=a,region=eu usage_user=12.5,usage_system=3i " + t);
        assertThat(r.statusCode()).isEqualTo(204);
        // No waiting: the 204 means committed.
        try (Connection c = io.sluice.storage.TestDatabase.connect(s.db); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT metric, tags->>'host', tags->>'region', value, time FROM metrics"
                     + " WHERE metric LIKE 'cpu_usage_%' ORDER BY metric")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("cpu_usage_system");
            assertThat(rs.getDouble(4)).isEqualTo(3.0);
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("cpu_usage_user");
            assertThat(rs.getString(2)).isEqualTo("a");
            assertThat(rs.getString(3)).isEqualTo("eu");
            assertThat(rs.getDouble(4)).isEqualTo(12.5);
            assertThat(rs.getTimestamp(5).toInstant()).isEqualTo(Instant.ofEpochSecond(t));
            assertThat(rs.next()).isFalse();
        }
    }

    @Test
    void v2WriteWithGzipBodyIsStored() throws Exception {
        long t = Instant.now().toEpochMilli();
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < 500; i++) {
            body.append("gz,host=h").append(i % 5).append(" value=").append(i).append(' ').append(t).append('\n');
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(body.toString().getBytes());
        }
        HttpResponse<String> r = s.http.send(HttpRequest.newBuilder(s.uri("/api/v2/write?org=o&bucket=b&precision=ms"))
                .header("Content-Encoding", "gzip")
                .POST(HttpRequest.BodyPublishers.ofByteArray(out.toByteArray())).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(204);
        assertThat(s.count("SELECT count(*) FROM metrics WHERE metric = 'gz'")).isEqualTo(500);
        assertThat(s.count("SELECT count(*) FROM series WHERE metric = 'gz'")).isEqualTo(5);
    }

    /** README, "InfluxDB compatibility": one store, so the database and bucket parameters are ignored. */
    @Test
    void databaseRetentionPolicyBucketAndOrgAreAcceptedAndIgnored() throws Exception {
        long t = Instant.now().getEpochSecond();
        assertThat(s.post("/write?db=telegraf&rp=autogen&precision=s", "onestore,via=v1 value=1 " + t).statusCode())
                .isEqualTo(204);
        assertThat(s.post("/write?db=other&precision=s", "onestore,via=v1b value=2 " + t).statusCode()).isEqualTo(204);
        assertThat(s.post("/api/v2/write?org=acme&orgID=0123456789abcdef&bucket=metrics&precision=s",
                "onestore,via=v2 value=3 " + t).statusCode()).isEqualTo(204);
        assertThat(s.count("SELECT count(*) FROM metrics WHERE metric = 'onestore'")).isEqualTo(3);
        assertThat(s.count("SELECT count(*) FROM series WHERE metric = 'onestore' AND (tags ? 'db' OR tags ? 'bucket')"))
                .as("no parameter becomes a tag").isZero();
    }

    /** README, "InfluxDB compatibility": the reference parser's reading, over HTTP. */
    @Test
    void aNewlineInAStringIsStoredAndAControlCharacterInANameIsRefusedByLine() throws Exception {
        HttpResponse<String> r = s.post("/write", "conform,host=a note=\"two\nlines\",v=1\nconform,host=b\tc v=2\nconform v=3");
        assertThat(r.statusCode()).isEqualTo(400);
        JsonNode j = JSON.readTree(r.body());
        assertThat(j.get("accepted").asInt()).isEqualTo(2);
        assertThat(j.get("rejected").asInt()).isEqualTo(1);
        JsonNode e = j.get("line_errors").get(0);
        assertThat(e.get("line").asInt()).as("the first point spans lines 1 and 2").isEqualTo(3);
        assertThat(e.get("reason").asText()).isEqualTo("control character 0x09 in a tag value");
        assertThat(s.count("SELECT count(*) FROM metrics WHERE metric = 'conform_v'")).isEqualTo(2);
    }

    @Test
    void aBatchWithBadLinesStoresTheGoodOnesAndNamesEachBadLine() throws Exception {
        String body = "partial,host=a value=1\n"
                + "partial,host=a value=\n"
                + "partial,host=b value=2\n"
                + "partial,host=c value=notanumber\n"
                + "partial,host=d value=4\n";
        HttpResponse<String> r = s.post("/write", body);
        assertThat(r.statusCode()).isEqualTo(400);
        JsonNode j = JSON.readTree(r.body());
        assertThat(j.get("code").asText()).isEqualTo("invalid");
        assertThat(j.get("message").asText()).startsWith("partial write");
        assertThat(j.get("accepted").asInt()).isEqualTo(3);
        assertThat(j.get("rejected").asInt()).isEqualTo(2);
        assertThat(j.get("line_errors")).hasSize(2);
        assertThat(j.get("line_errors").get(0).get("line").asInt()).isEqualTo(2);
        assertThat(j.get("line_errors").get(1).get("line").asInt()).isEqualTo(4);
        assertThat(j.get("line_errors").get(1).get("reason").asText()).isNotBlank();
        assertThat(s.count("SELECT count(*) FROM metrics WHERE metric = 'partial'")).isEqualTo(3);
        assertThat(s.metric("sluice_samples_rejected_total", "reason", "parse")).isGreaterThanOrEqualTo(2);
    }

    @Test
    void nativeJsonSamplesAreStoredWithStep() throws Exception {
        String body = "{\"samples\":[{\"metric\":\"loss\",\"tags\":{\"run_id\":\"r-1\"},\"time\":\"2026-11-22T10:00:00Z\","
                + "\"value\":0.25,\"step\":7},{\"metric\":\"loss\",\"tags\":{\"run_id\":\"r-1\"},\"value\":0.2}]}";
        // The first sample's time is fixed: keep it within retention by writing today's date.
        body = body.replace("2026-11-22", Instant.now().toString().substring(0, 10));
        HttpResponse<String> r = s.post("/v1/samples", body);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(204);
        assertThat(s.count("SELECT count(*) FROM metrics WHERE metric = 'loss' AND tags->>'run_id' = 'r-1'")).isEqualTo(2);
        assertThat(s.count("SELECT max(step) FROM metrics WHERE metric = 'loss'")).isEqualTo(7);
    }

    @Test
    void aBadSampleAfterSixteenGoodOnesIsAPartialWriteNotA500() throws Exception {
        // Before the fix: answered 500 and nothing stored.
        HttpResponse<String> r = s.post("/v1/samples", UdpIT.sixteenGoodThenOneBad("json_sixteen"));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        JsonNode j = JSON.readTree(r.body());
        assertThat(j.get("accepted").asInt()).isEqualTo(16);
        assertThat(j.get("line_errors").get(0).get("line").asInt()).isEqualTo(17);
        assertThat(s.count("SELECT count(*) FROM metrics WHERE metric = 'json_sixteen'")).isEqualTo(16);
    }

    @Test
    void unknownPathIs404AndWrongMethodIs405AsJson() throws Exception {
        HttpResponse<String> r = s.get("/nope");
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(r.body()).get("message").asText()).contains("/nope");
        HttpResponse<String> m = s.get("/write");
        assertThat(m.statusCode()).isEqualTo(405);
        assertThat(m.headers().firstValue("allow")).contains("POST");
        assertThat(JSON.readTree(m.body()).get("code").asText()).isEqualTo("method not allowed");
    }

    @Test
    void aBodyOverTheLimitIs413() throws Exception {
        String big = "big value=1\n".repeat(10_000);
        HttpResponse<String> r = s.post("/write", big);
        assertThat(r.statusCode()).isEqualTo(413);
        assertThat(JSON.readTree(r.body()).get("message").asText()).contains("max_body_bytes=65536");
        // The server is still fine afterwards.
        assertThat(s.post("/write", "after413 value=1").statusCode()).isEqualTo(204);
    }

    /**
     * A client still sending a body refused 413 reads the answer, not a reset. Before, the
     * server closed at once and the rest of the body met a reset, which can discard the answer
     * (CI once saw the JDK client get no answer at all that way).
     */
    @Test
    void aClientStillSendingARefusedBodyReadsThe413AndMayFinishSending() throws Exception {
        try (RawHttp c = new RawHttp(s.uri("/").getPort())) {
            RawHttp.Response r = c.refusedBodySentToTheEnd(2_000_000, 100_000);
            assertThat(r.status()).isEqualTo(413);
            assertThat(r.header("connection")).isEqualTo("close");
            assertThat(r.body()).contains("max_body_bytes=65536");
            assertThat(c.endedCleanly()).isTrue();
        }
        assertThat(s.post("/write", "after_linger value=1").statusCode()).isEqualTo(204);
    }

    @Test
    void badPrecisionIs400NamingTheParameter() throws Exception {
        HttpResponse<String> r = s.post("/write?precision=fortnight", "x value=1");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("precision");
    }

    @Test
    void operationsEndpointsAnswer() throws Exception {
        assertThat(s.get("/-/healthy").statusCode()).isEqualTo(200);
        assertThat(s.get("/-/ready").statusCode()).isEqualTo(200);
        HttpResponse<String> h = s.get("/health");
        assertThat(h.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(h.body()).get("status").asText()).isEqualTo("pass");
        s.post("/write", "m1 value=1");
        String metrics = s.get("/-/metrics").body();
        assertThat(metrics).contains("# TYPE sluice_samples_written_total counter",
                "sluice_samples_received_total{transport=\"http_line\"}", "sluice_ring_occupancy",
                "sluice_write_latency_seconds_bucket", "sluice_write_batch_rows_count", "sluice_series ",
                "sluice_samples_dropped_total{reason=\"ring_full\"}", "sluice_samples_rejected_total{reason=\"parse\"}");
    }

    @Test
    void samplesBeyondRetentionOrBefore2000AreRefusedWithAReason() throws Exception {
        // An example time of an early README, 2024-11-22, is older than retention_raw (30d): refused, as
        // InfluxDB refuses points beyond its retention policy. Today's is stored.
        HttpResponse<String> old = s.post("/write?precision=s", "cpu2024,host=a usage_user=12.5 1732280000");
        assertThat(old.statusCode()).isEqualTo(400);
        assertThat(old.body()).contains("retention_raw");
        HttpResponse<String> ok = s.post("/write?precision=s", "cpu2024,host=a usage_user=12.5 " + Instant.now().getEpochSecond());
        assertThat(ok.statusCode()).isEqualTo(204);
        assertThat(s.count("SELECT count(*) FROM metrics WHERE metric = 'cpu2024_usage_user'")).isEqualTo(1);
        // Seconds sent without precision=s read as nanoseconds: 1970. Refused, the rest stored.
        HttpResponse<String> r = s.post("/write", "old value=1 1732280000\nnew value=2");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("before 2000-01-01");
        assertThat(s.count("SELECT count(*) FROM metrics WHERE metric = 'new'")).isEqualTo(1);
        assertThat(s.count("SELECT count(*) FROM metrics WHERE metric = 'old'")).isZero();
        HttpResponse<String> future = s.post("/write?precision=s", "future value=1 " + (Instant.now().getEpochSecond() + 30 * 86400));
        assertThat(future.statusCode()).isEqualTo(400);
        assertThat(future.body()).contains("max_future");
    }
}
