package io.sluice.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.storage.writer.JournalFlusher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code write_ack = journal} (README, "What an answer guarantees"): a write is answered once the
 * journal row holding it commits; its samples reach {@code samples} behind it, once each, and
 * Sluice's own queries answer them at once.
 */
class JournalAckIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int REQUESTS = 10;
    private static final int SERIES = 5;
    private static final int PER_SERIES = 20;

    @Test
    void answeredOnTheJournalCommitStoredOnceBehindItAndQueriedAtOnce() throws Exception {
        try (TestServer s = TestServer.start("journal_ack", Map.of("write_ack", "journal"))) {
            JournalFlusher flusher = s.server.storage().journal();
            assertThat(flusher).as("write_ack = journal makes a flusher").isNotNull();
            // Held: what the answers promise must not depend on the flusher having run.
            flusher.pause(true);
            int total = writeAndQueryAtOnce(s);
            assertThat(s.count("SELECT count(*) FROM sluice_journal")).as("journal rows").isBetween(1L, (long) REQUESTS);
            flushedOnceInWideBlocks(s, flusher, total);
            assertThat(s.count("SELECT count(*) FROM sluice_journal")).as("journal rows deleted with the flush").isZero();
        }
    }

    /**
     * {@code write_ack = local}, on a database of its own ({@code database_url}): answered once a
     * record is synced to the writer's journal file under {@code <data_dir>/journal/}, no journal
     * row; the flusher's transaction moves the journal's marks.
     */
    @Test
    void answeredOnALocalJournalRecordStoredOnceBehindItAndQueriedAtOnce(@TempDir Path dataDir) throws Exception {
        try (TestServer s = TestServer.start("journal_local", Map.of("write_ack", "local", "data_dir", dataDir.toString()))) {
            JournalFlusher flusher = s.server.storage().journal();
            assertThat(flusher).as("write_ack = local makes a flusher").isNotNull();
            flusher.pause(true);
            int total = writeAndQueryAtOnce(s);
            assertThat(s.count("SELECT count(*) FROM sluice_journal")).as("no journal rows").isZero();
            assertThat(s.metric("sluice_journal_local_records_total")).isBetween(1L, (long) REQUESTS);
            try (var files = Files.list(dataDir.resolve("journal"))) {
                assertThat(files.filter(f -> f.getFileName().toString().endsWith(".journal")).count()).isPositive();
            }
            flushedOnceInWideBlocks(s, flusher, total);
            assertThat(s.count("SELECT count(*) FROM sluice_journal_marks")).as("a mark a writer that wrote").isPositive();
        }
    }

    /** Writes the requests, each answered 204, and finds every sample in Sluice's own queries at once. */
    private static int writeAndQueryAtOnce(TestServer s) throws Exception {
        long t0 = (Instant.now().getEpochSecond() - 60) * 1000;
        int n = 0;
        for (int r = 0; r < REQUESTS; r++) {
            StringBuilder body = new StringBuilder();
            for (int i = 0; i < SERIES * PER_SERIES; i++) {
                body.append("jack,host=h").append(i % SERIES).append(" v=").append(n).append(' ')
                        .append(t0 + n).append('\n');
                n++;
            }
            HttpResponse<String> w = s.post("/write?precision=ms", body.toString());
            assertThat(w.statusCode()).as(w.body()).isEqualTo(204);
        }
        int total = n;
        assertThat(s.count("SELECT count(*) FROM metrics WHERE metric = 'jack_v'")).as("not yet in SQL").isZero();

        // Sluice's own queries answer at once: the head has every acknowledged sample.
        JsonNode raw = get(s, "/v1/query?metric=jack_v&start=" + (t0 / 1000 - 1) + "&end=" + (t0 / 1000 + 10));
        assertThat(raw.get("source").asText()).isEqualTo("raw");
        int points = 0;
        for (JsonNode series : raw.get("series")) {
            points += series.get("points").size();
        }
        assertThat(points).isEqualTo(total);
        JsonNode latest = get(s, "/v1/latest?metric=jack_v&host=h" + ((total - 1) % SERIES)).get("latest");
        assertThat(latest.get(0).get("value").asDouble()).isEqualTo(total - 1);
        return total;
    }

    /** Lets the flusher go: every sample lands once, a series' samples of all requests in one block. */
    private static void flushedOnceInWideBlocks(TestServer s, JournalFlusher flusher, int total) throws Exception {
        flusher.pause(false);
        await().atMost(Duration.ofSeconds(60)).until(() -> s.count("SELECT count(*) FROM metrics WHERE metric = 'jack_v'") >= total);
        assertThat(s.count("SELECT count(*) FROM metrics WHERE metric = 'jack_v'")).isEqualTo(total);
        assertThat(s.count("SELECT count(DISTINCT value) FROM metrics WHERE metric = 'jack_v'")).isEqualTo(total);
        // Wide blocks: a series' samples of all ten requests in one block, not one a request.
        assertThat(s.count("SELECT count(*) FROM samples_blocks b JOIN series r ON r.id = b.series_id"
                + " WHERE r.metric = 'jack_v'")).isEqualTo(SERIES * ((REQUESTS * PER_SERIES + 99) / 100));
        assertThat(s.metric("sluice_journal_flushed_samples_total")).isEqualTo(total);
    }

    @Test
    void aValueOtherThanCommitOrJournalStopsTheStart() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> TestServer.start("journal_bad", Map.of("write_ack", "fsync")))
                .hasMessageContaining("write_ack: 'fsync' is not \"auto\", \"commit\", \"journal\" or \"local\"");
    }

    private static JsonNode get(TestServer s, String path) throws Exception {
        HttpResponse<String> r = s.get(path);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }
}
