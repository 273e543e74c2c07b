package io.sluice.storage.writer;

import io.sluice.codec.SampleSink;
import io.sluice.codec.SeriesKey;
import io.sluice.storage.Storage;
import io.sluice.storage.TestDatabase;
import io.sluice.storage.db.DatabaseUrl;
import io.sluice.storage.ingest.AcknowledgedWrite;
import io.sluice.storage.ingest.WriteOutcome;
import io.sluice.storage.metrics.Metrics;
import io.sluice.storage.ring.SampleBatch;
import io.sluice.storage.ring.SampleEvent;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Idempotent commits and whole requests against a real PostgreSQL fast-stopped ({@code pg_ctl stop -m fast}) and
 * started again, many times, while four producers write 1,000-sample requests. Commits are
 * stretched to 100 ms ({@code commit_delay}) so that stops land in them: a fast stop lets a
 * commit under way finish and then ends the session with 57P01, so the writer does not hear that
 * it committed. Every request's samples carry its number, so each can be counted.
 */
class DatabaseRestartIT {
    private static final int PER_REQUEST = 1000;

    @TempDir
    Path dir;
    private EmbeddedPostgres pg;

    @Test
    void fastRestartsMidCommitNeitherLoseNorDoubleNorSplitARequest() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        pg = start(port);
        DatabaseUrl url = new DatabaseUrl("jdbc:postgresql://localhost:" + port + "/postgres", "postgres", null);
        Metrics metrics = new Metrics();
        Map<Integer, WriteOutcome> outcomes = new ConcurrentHashMap<>();
        AtomicInteger nextRequest = new AtomicInteger();
        AtomicBoolean stop = new AtomicBoolean();
        int restarts = 10;
        try (Storage storage = Storage.open(TestDatabase.storageConfig(url, 2, 10_000), metrics)) {
            // Closed before the database: it drains into it.
            storage.start();
            SeriesKey key = storage.registry().pending(SeriesKey.of("restart", Map.of()));
            Thread[] producers = new Thread[4];
            for (int p = 0; p < producers.length; p++) {
                producers[p] = new Thread(() -> produce(storage, key, nextRequest, outcomes, stop), "producer-" + p);
                producers[p].setDaemon(true);
                producers[p].start();
            }
            for (int r = 0; r < restarts; r++) {
                int before = outcomes.size();
                await().atMost(Duration.ofSeconds(60)).until(() -> outcomes.size() >= before + 8);
                pg.close(); // pg_ctl stop -m fast
                Thread.sleep(300);
                pg = start(port);
            }
            stop.set(true);
            for (Thread t : producers) {
                t.join(120_000);
            }
            await().atMost(Duration.ofSeconds(120)).until(() -> outcomes.size() == nextRequest.get());
        }
        Map<Integer, Long> stored = new HashMap<>();
        long rows;
        long distinct;
        try (Connection c = TestDatabase.connect(url); Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT floor(value / " + PER_REQUEST + ")::int, count(*) FROM samples"
                    + " GROUP BY 1")) {
                while (rs.next()) {
                    stored.put(rs.getInt(1), rs.getLong(2));
                }
            }
            try (ResultSet rs = st.executeQuery("SELECT count(*), count(DISTINCT value) FROM samples")) {
                rs.next();
                rows = rs.getLong(1);
                distinct = rs.getLong(2);
            }
        }
        assertThat(rows).as("no sample stored twice").isEqualTo(distinct);
        int committed = 0;
        for (Map.Entry<Integer, WriteOutcome> e : outcomes.entrySet()) {
            long n = stored.getOrDefault(e.getKey(), 0L);
            assertThat(n).as("request %d is stored whole or not at all", e.getKey()).isIn(0L, (long) PER_REQUEST);
            if (e.getValue() == WriteOutcome.COMMITTED) {
                committed++;
                assertThat(n).as("acknowledged request %d", e.getKey()).isEqualTo(PER_REQUEST);
            }
        }
        assertThat(committed).isGreaterThan(restarts * 8);
        assertThat(metrics.value("sluice_write_commit_unknown_total", "outcome", "committed")
                + metrics.value("sluice_write_commit_unknown_total", "outcome", "rolled_back"))
                .as("stops landed in commits").isPositive();
    }

    @AfterEach
    void stopDatabase() throws IOException {
        if (pg != null) {
            pg.close();
        }
    }

    /** Publishes requests back to back, a few in flight, until told to stop. */
    private static void produce(Storage storage, SeriesKey key, AtomicInteger next, Map<Integer, WriteOutcome> outcomes,
                                AtomicBoolean stop) {
        java.util.concurrent.Semaphore inFlight = new java.util.concurrent.Semaphore(2);
        while (!stop.get()) {
            try {
                if (!inFlight.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                    continue;
                }
            } catch (InterruptedException e) {
                return;
            }
            int request = next.getAndIncrement();
            long now = Instant.now().toEpochMilli() * 1000;
            SampleBatch b = new SampleBatch(PER_REQUEST);
            int id = storage.registry().idOf(key);
            for (int i = 0; i < PER_REQUEST; i++) {
                b.add(id < 0 ? SampleEvent.UNRESOLVED : id, id < 0 ? key : null, now + i,
                        (double) request * PER_REQUEST + i, SampleSink.NO_STEP);
            }
            AcknowledgedWrite w = storage.ingest().acknowledged(b, (o, reason) -> {
                outcomes.put(request, o);
                inFlight.release();
            });
            while (w.tryPublish() == AcknowledgedWrite.Publish.RING_FULL) {
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    private EmbeddedPostgres start(int port) throws Exception {
        return TestDatabase.ownServer(dir.resolve("pg"), port)
                // Every commit waits 100 ms before its WAL flush, so a fast stop finds one under way.
                .setServerConfig("commit_delay", "100000")
                .setServerConfig("commit_siblings", "0")
                .start();
    }
}
