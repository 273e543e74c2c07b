package io.sluice.storage;

import io.sluice.codec.SampleSink;
import io.sluice.codec.SeriesKey;
import io.sluice.storage.db.EmbeddedDatabase;
import io.sluice.storage.metrics.Metrics;
import io.sluice.storage.ring.SampleBatch;
import io.sluice.storage.ring.SampleEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The embedded database: stopped and restarted mid-stream, nothing acknowledged is lost or
 * doubled; and its commits are durable.
 */
class DatabaseOutageIT {
    @TempDir
    Path dir;

    @Test
    void writesWaitOutAnOutageAndLandExactlyOnceWhenTheDatabaseReturns() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        EmbeddedDatabase db = EmbeddedDatabase.start(dir, port, EmbeddedDatabase.DEFAULT_SHARED_BUFFERS);
        Metrics metrics = new Metrics();
        Storage storage = Storage.open(StorageIT.config(db.url(), 2, 50), metrics);
        storage.start();
        List<CompletableFuture<String>> acks = new ArrayList<>();
        long t = Instant.now().toEpochMilli() * 1000;
        try {
            SeriesKey key = SeriesKey.of("outage", Map.of("host", "a"));
            acks.add(publish(storage, key, t, 100));
            assertThat(acks.get(0).get(60, TimeUnit.SECONDS)).isEqualTo("ok");

            db.close();
            CompletableFuture<String> during = publish(storage, key, t + 1000, 300);
            acks.add(during);
            // A writer finds out when it next uses a connection: at once on a dead pooled one, after
            // the pool's 5 s connection timeout when the pool had already dropped them.
            await().atMost(Duration.ofSeconds(30)).until(() -> metrics.value("sluice_write_batch_failures_total") > 0);
            assertThat(during).isNotDone();

            db = EmbeddedDatabase.start(dir, port, EmbeddedDatabase.DEFAULT_SHARED_BUFFERS);
            assertThat(during.get(30, TimeUnit.SECONDS)).isEqualTo("ok");
            acks.add(publish(storage, key, t + 5000, 100));
            assertThat(acks.get(2).get(60, TimeUnit.SECONDS)).isEqualTo("ok");
            assertThat(TestDatabase.count(db.url(), "SELECT count(*) FROM samples")).isEqualTo(500);
            assertThat(TestDatabase.count(db.url(), "SELECT count(DISTINCT time) FROM samples")).isEqualTo(500);
            assertThat(metrics.value("sluice_samples_written_total")).isEqualTo(500);
        } finally {
            storage.close();
            db.close();
        }
    }

    @Test
    void theEmbeddedDatabaseFlushesCommitsToDiskWithTheBuffersAskedFor() throws Exception {
        // A 2xx promises durability; the embedding library's own defaults turn these off.
        try (EmbeddedDatabase db = EmbeddedDatabase.start(dir, 0, 48L << 20);
             Connection c = TestDatabase.connect(db.url()); Statement st = c.createStatement()) {
            for (String setting : List.of("fsync", "synchronous_commit", "full_page_writes")) {
                try (ResultSet rs = st.executeQuery("SHOW " + setting)) {
                    rs.next();
                    assertThat(rs.getString(1)).as(setting).isEqualTo("on");
                }
            }
            try (ResultSet rs = st.executeQuery("SHOW shared_buffers")) {
                rs.next();
                assertThat(rs.getString(1)).as("the size asked for, not the library's default").isEqualTo("48MB");
            }
        }
    }

    private static CompletableFuture<String> publish(Storage storage, SeriesKey key, long t0, int n) {
        SampleBatch batch = new SampleBatch(n);
        int id = storage.registry().idOf(key);
        for (int i = 0; i < n; i++) {
            batch.add(id < 0 ? SampleEvent.UNRESOLVED : id, id < 0 ? storage.registry().pending(key) : null,
                    t0 + i, i, SampleSink.NO_STEP);
        }
        return Writes.request(storage, batch);
    }
}
