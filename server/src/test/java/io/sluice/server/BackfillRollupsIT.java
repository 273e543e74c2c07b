package io.sluice.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.sql.Connection;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Late and backfilled samples written through {@code /write} are rolled up like live ones (issue
 * 14, item 4): every rollup answer over them equals the raw answer, at 1m, 1h and 1d.
 */
class BackfillRollupsIT {
    static final ObjectMapper JSON = new ObjectMapper();
    static final long HOUR = 3600;
    static final long DAY = 86_400;
    static TestServer s;
    static long now;

    @BeforeAll
    static void load() throws Exception {
        s = TestServer.start("backfill_rollups", Map.of());
        now = Instant.now().getEpochSecond();
        // A server that has been running: the rollups are refreshed up to now before the writes.
        refresh();
        // Four hours up to a few minutes ago, as a client sending its backlog in one go; then
        // three and twenty days back (writers record these as late), one sample every 10 s.
        write("cpu,host=a", now - 4 * HOUR - 300, now - 300);
        write("cpu,host=b", now - 4 * HOUR - 300, now - 300);
        long threeDays = (now - 3 * DAY) / DAY * DAY + 2 * HOUR;
        write("cpu,host=a", threeDays, threeDays + 6 * HOUR);
        long twentyDays = (now - 20 * DAY) / DAY * DAY + 20 * HOUR;
        write("cpu,host=b", twentyDays, twentyDays + 2 * HOUR + 123);
        refresh();
    }

    private static void refresh() throws Exception {
        try (Connection c = s.server.storage().dataSource().getConnection()) {
            s.server.storage().rollups().refresh(c, Instant.now());
        }
    }

    private static void write(String series, long from, long to) throws Exception {
        StringBuilder body = new StringBuilder();
        for (long t = from; t < to; t += 10) {
            // Whole numbers: every sum is exact, so rollup and raw agree to the last bit.
            body.append(series).append(" usage=").append((t * 7) % 1000).append(' ').append(t).append('\n');
            if (body.length() > 200_000) {
                assertThat(s.post("/write?precision=s", body.toString()).statusCode()).isEqualTo(204);
                body.setLength(0);
            }
        }
        assertThat(s.post("/write?precision=s", body.toString()).statusCode()).isEqualTo(204);
    }

    @AfterAll
    static void stop() {
        s.close();
    }

    private static JsonNode query(String params) throws Exception {
        HttpResponse<String> r = s.get("/v1/query?metric=cpu_usage&nocache=1&" + params);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    private static void sameAsRaw(long start, long end, String step, String... sources) throws Exception {
        for (String agg : new String[] {"avg", "sum", "min", "max", "count", "last"}) {
            String range = "start=" + start + "&end=" + end + "&step=" + step + "&agg=" + agg;
            JsonNode raw = query(range + "&source=raw").get("series");
            assertThat(raw).as("raw " + range).isNotEmpty();
            for (String source : sources) {
                JsonNode rolled = query(range + "&source=" + source);
                assertThat(rolled.get("source").asText()).isEqualTo(source);
                assertThat(rolled.get("series")).as(source + " " + range).isEqualTo(raw);
            }
        }
    }

    @Test
    void theLastHoursWrittenAtOnceAreRolledUp() throws Exception {
        // The report's query: five hours in 5-minute steps answered 3 points before.
        JsonNode r = query("start=5h&step=5m&host=a");
        assertThat(r.get("source").asText()).isEqualTo("1m");
        assertThat(r.get("series").get(0).get("points").size()).isGreaterThanOrEqualTo(48);
        sameAsRaw(now - 5 * HOUR, now, "5m", "1m");
        sameAsRaw(now / HOUR * HOUR - 5 * HOUR, now / HOUR * HOUR, "1h", "1m", "1h");
    }

    @Test
    void daysOldBackfillIsRolledUpAtEveryLevel() throws Exception {
        long threeDays = (now - 3 * DAY) / DAY * DAY;
        sameAsRaw(threeDays, threeDays + DAY, "1h", "1m", "1h");
        sameAsRaw(threeDays, threeDays + DAY, "1d", "1m", "1h", "1d");
        long twentyDays = (now - 20 * DAY) / DAY * DAY;
        sameAsRaw(twentyDays, twentyDays + DAY, "5m", "1m");
        sameAsRaw(twentyDays - DAY, twentyDays + 2 * DAY, "1d", "1m", "1h", "1d");
        // Nothing left to re-materialise, and the writers said what they recorded.
        assertThat(s.count("SELECT count(*) FROM rollup_invalidations")).isZero();
        assertThat(s.metric("sluice_rollup_invalidated_ranges_total")).isPositive();
        assertThat(s.count("SELECT count(*) FROM samples_1d WHERE bucket = to_timestamp(" + threeDays + ")")).isEqualTo(1);
    }
}
