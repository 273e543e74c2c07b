package io.sluice.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Samples Sluice refuses at ingest, and why, through /write. */
class RefusedSamplesIT {
    static TestServer s;
    static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void start() throws Exception {
        s = TestServer.start("refused", Map.of());
    }

    @AfterAll
    static void stop() {
        s.close();
    }

    @Test
    void aValueWhoseSquareWouldOverflowIsRefusedWithItsLineAndCounted() throws Exception {
        HttpResponse<String> r = s.post("/write", "bigval value=1e200\n"
                + "bigval value=-1e-200\n"
                + "bigval value=1e100\n"
                + "bigval value=0\n"
                + "bigval value=-1e-100\n");
        assertThat(r.statusCode()).isEqualTo(400);
        JsonNode j = JSON.readTree(r.body());
        assertThat(j.get("accepted").asInt()).isEqualTo(3);
        assertThat(j.get("rejected").asInt()).isEqualTo(2);
        assertThat(j.get("line_errors").get(0).get("line").asInt()).isEqualTo(1);
        assertThat(j.get("line_errors").get(0).get("reason").asText()).contains("1.0E200").contains("out of range");
        assertThat(j.get("line_errors").get(1).get("line").asInt()).isEqualTo(2);
        assertThat(s.metric("sluice_samples_rejected_total", "reason", "out_of_range")).isEqualTo(2);
        assertThat(s.count("SELECT count(*) FROM metrics WHERE metric = 'bigval'")).isEqualTo(3);
    }

    @Test
    void theLargestAndSmallestStorableValuesRollUpAndAverageLikeRaw() throws Exception {
        long minute = Instant.now().getEpochSecond() / 60 * 60 - 20 * 60;
        StringBuilder body = new StringBuilder();
        // One sign per series: sums that cancel would depend on the order rows are read in.
        double[] edge = {1e100, 1e-100, 0, 1e100};
        for (int i = 0; i < 3000; i++) {
            double v = edge[i % edge.length];
            body.append("edge,sign=pos value=").append(v).append(' ').append(minute + i % 600).append('\n');
            body.append("edge,sign=neg value=").append(-v).append(' ').append(minute + i % 600).append('\n');
        }
        assertThat(s.post("/write?precision=s", body.toString()).statusCode()).isEqualTo(204);
        try (Connection c = s.server.storage().dataSource().getConnection()) {
            s.server.storage().rollups().refresh(c, Instant.now());
        }
        assertThat(s.metric("sluice_rollup_buckets_skipped_total", "level", "1m")).isZero();
        String range = "&start=" + minute + "&end=" + (minute + 600) + "&step=1m";
        for (String agg : new String[] {"avg", "sum", "min", "max", "count"}) {
            JsonNode raw = JSON.readTree(s.get("/v1/query?metric=edge&source=raw&agg=" + agg + range).body());
            JsonNode m1 = JSON.readTree(s.get("/v1/query?metric=edge&source=1m&agg=" + agg + range).body());
            assertThat(raw.get("series")).as(agg).hasSize(2);
            assertThat(raw.get("series").get(0).get("points")).as(agg).hasSize(10);
            assertThat(m1.get("series")).as(agg).isEqualTo(raw.get("series"));
        }
    }

    @Test
    void aSampleOlderThanRetentionIsRefusedAsInfluxDbDoesAndTheRestIsStored() throws Exception {
        long now = Instant.now().getEpochSecond();
        long day = 86_400;
        // Maintenance keeps a partition for each retained day; wait for its first run.
        await().atMost(Duration.ofSeconds(60)).until(() -> s.server.storage().partitions().has((now - 29 * day) / day));
        HttpResponse<String> r = s.post("/write?precision=s", "retained,host=a value=1 " + (now - 31 * day) + "\n"
                + "retained,host=a value=2 " + (now - 29 * day) + "\n"
                + "retained,host=a value=3 " + now + "\n");
        assertThat(r.statusCode()).isEqualTo(400);
        JsonNode j = JSON.readTree(r.body());
        assertThat(j.get("message").asText()).startsWith("partial write");
        assertThat(j.get("accepted").asInt()).isEqualTo(2);
        assertThat(j.get("line_errors")).hasSize(1);
        assertThat(j.get("line_errors").get(0).get("line").asInt()).isEqualTo(1);
        assertThat(j.get("line_errors").get(0).get("reason").asText()).contains("retention_raw");
        assertThat(s.metric("sluice_samples_rejected_total", "reason", "beyond_retention")).isEqualTo(1);
        assertThat(s.metric("sluice_protocol_rejected_total", "protocol", "influx", "reason", "beyond_retention")).isEqualTo(1);
        assertThat(s.count("SELECT count(*) FROM metrics WHERE metric = 'retained'")).isEqualTo(2);
        // The old day's partition was there before the write: no writer created one.
        assertThat(s.metric("sluice_partitions_created_total", "by", "writer")).isZero();
    }
}
