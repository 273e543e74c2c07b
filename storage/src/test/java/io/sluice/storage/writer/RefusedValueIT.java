package io.sluice.storage.writer;

import io.sluice.codec.SampleSink;
import io.sluice.codec.SeriesKey;
import io.sluice.storage.Storage;
import io.sluice.storage.TestDatabase;
import io.sluice.storage.Writes;
import io.sluice.storage.db.DatabaseUrl;
import io.sluice.storage.metrics.Metrics;
import io.sluice.storage.ring.SampleBatch;
import io.sluice.storage.ring.SampleEvent;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A value PostgreSQL refuses (SQLSTATE class 22 or 23) inside a writer's COPY is the request's
 * own (README "Answers"): that request is refused and nothing of it stored, the requests sharing
 * its batch are committed. So too when PostgreSQL refuses it at COMMIT, naming no row: the
 * batch's requests are then written one by one. A trigger stands for what PostgreSQL refuses (no input the parsers
 * let through reaches such an error today: README "Answers").
 */
class RefusedValueIT {
    @Test
    void aRefusedValueRefusesItsOwnRequestAndCommitsTheRestOfTheBatch() throws Exception {
        DatabaseUrl url = TestDatabase.fresh("refused_value");
        Metrics metrics = new Metrics();
        try (Storage storage = Storage.open(TestDatabase.storageConfig(url, 1, 100_000), metrics)) {
            TestDatabase.refuseNegativeValues(url);
            slowFirstCopy(url);
            storage.start();
            SeriesKey key = storage.registry().pending(SeriesKey.of("refused", Map.of()));
            CompletableFuture<String> first = Writes.request(storage, batch(key, 0));
            awaitCopy(url);
            CompletableFuture<String> before = Writes.request(storage, batch(key, 1, 2, 3));
            CompletableFuture<String> bad = Writes.request(storage, batch(key, 1001, -1, 1003));
            SampleBatch bestEffort = batch(key, 2001, -2, 2003);
            assertThat(storage.ingest().publishBestEffort(bestEffort)).isEqualTo(3);
            CompletableFuture<String> after = Writes.request(storage, batch(key, 4, 5));
            assertThat(first.get(30, TimeUnit.SECONDS)).isEqualTo("ok");

            assertThat(bad.get(30, TimeUnit.SECONDS))
                    .startsWith("REFUSED: the database refused a value of this request (SQLSTATE 22003); nothing of it was stored; error id ");
            assertThat(before.get(30, TimeUnit.SECONDS)).isEqualTo("ok");
            assertThat(after.get(30, TimeUnit.SECONDS)).isEqualTo("ok");
            assertThat(TestDatabase.count(url, "SELECT count(*) FROM samples WHERE value BETWEEN 1000 AND 1999")).isZero();
            assertThat(TestDatabase.count(url, "SELECT count(*) FROM samples WHERE value < 1000")).isEqualTo(6);
            // A best-effort row the database refuses is left out alone.
            await().atMost(Duration.ofSeconds(30)).until(() ->
                    TestDatabase.count(url, "SELECT count(*) FROM samples WHERE value >= 2000") == 2);
            assertThat(metrics.total("sluice_samples_dropped_total")).isEqualTo(4);
            assertThat(metrics.total("sluice_samples_written_total")).isEqualTo(8);
        }
    }

    @Test
    void aRefusedValueOfTheBatchsOnlyRequestRefusesItWithoutRetrying() throws Exception {
        DatabaseUrl url = TestDatabase.fresh("refused_alone");
        Metrics metrics = new Metrics();
        try (Storage storage = Storage.open(TestDatabase.storageConfig(url, 1, 100_000), metrics)) {
            TestDatabase.refuseNegativeValues(url);
            storage.start();
            SeriesKey key = storage.registry().pending(SeriesKey.of("alone", Map.of()));
            assertThat(Writes.request(storage, batch(key, 7, -7)).get(30, TimeUnit.SECONDS))
                    .startsWith("REFUSED: the database refused a value of this request (SQLSTATE 22003)");
            assertThat(Writes.request(storage, batch(key, 8)).get(30, TimeUnit.SECONDS)).isEqualTo("ok");
            assertThat(TestDatabase.count(url, "SELECT count(*) FROM samples")).isEqualTo(1);
            assertThat(metrics.total("sluice_write_retries_total")).isZero();
        }
    }

    @Test
    void aValueRefusedAtCommitRefusesItsOwnRequestAndCommitsTheOthersOnce() throws Exception {
        DatabaseUrl url = TestDatabase.fresh("refused_at_commit");
        Metrics metrics = new Metrics();
        try (Storage storage = Storage.open(TestDatabase.storageConfig(url, 1, 100_000), metrics)) {
            TestDatabase.refuseAtCommit(url, 666);
            slowFirstCopy(url);
            storage.start();
            SeriesKey key = storage.registry().pending(SeriesKey.of("refused_at_commit", Map.of()));
            CompletableFuture<String> first = Writes.request(storage, batch(key, 0));
            awaitCopy(url);
            // One batch: the deferred trigger refuses it at COMMIT, naming no row of the COPY.
            CompletableFuture<String> before = Writes.request(storage, batch(key, 1, 2, 3));
            CompletableFuture<String> bad = Writes.request(storage, batch(key, 1001, 666, 1003));
            assertThat(storage.ingest().publishBestEffort(batch(key, 2001, 2002))).isEqualTo(2);
            CompletableFuture<String> after = Writes.request(storage, batch(key, 4, 5));
            assertThat(first.get(30, TimeUnit.SECONDS)).isEqualTo("ok");

            assertThat(bad.get(30, TimeUnit.SECONDS))
                    .startsWith("REFUSED: the database refused a value of this request (SQLSTATE 23514); nothing of it was stored; error id ");
            assertThat(before.get(30, TimeUnit.SECONDS)).isEqualTo("ok");
            assertThat(after.get(30, TimeUnit.SECONDS)).isEqualTo("ok");
            assertThat(TestDatabase.count(url, "SELECT count(*) FROM samples WHERE value BETWEEN 1000 AND 1999 OR value = 666")).isZero();
            assertThat(TestDatabase.count(url, "SELECT count(*) FROM samples WHERE value < 1000")).isEqualTo(6);
            // The best-effort rows of the batch are written too, after the requests.
            await().atMost(Duration.ofSeconds(30)).until(() ->
                    TestDatabase.count(url, "SELECT count(*) FROM samples WHERE value >= 2000") == 2);
            // Each once.
            assertThat(TestDatabase.count(url, "SELECT count(DISTINCT value) FROM samples")).isEqualTo(8);
            assertThat(TestDatabase.count(url, "SELECT count(*) FROM samples")).isEqualTo(8);
            // The COMMIT was answered: its outcome was never unknown.
            assertThat(metrics.total("sluice_write_commit_unknown_total")).isZero();
            assertThat(metrics.total("sluice_samples_dropped_total")).isEqualTo(3);
            assertThat(metrics.total("sluice_samples_written_total")).isEqualTo(8);
        }
    }

    /** The first COPY waits two seconds: the requests published meanwhile make one batch. */
    static void slowFirstCopy(DatabaseUrl url) throws Exception {
        try (Connection c = TestDatabase.connect(url); Statement st = c.createStatement()) {
            st.execute("CREATE FUNCTION slow_first() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
                    + " IF NOT EXISTS (SELECT 1 FROM samples) THEN PERFORM pg_sleep(2); END IF; RETURN NULL; END $$");
            st.execute("CREATE TRIGGER slow_first BEFORE INSERT ON " + TestDatabase.BLOCKS
                    + " FOR EACH STATEMENT EXECUTE FUNCTION slow_first()");
        }
    }

    private static void awaitCopy(DatabaseUrl url) {
        await().atMost(Duration.ofSeconds(20)).until(() -> TestDatabase.count(url,
                "SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'COPY samples%' AND state = 'active'") > 0);
    }

    private static SampleBatch batch(SeriesKey key, double... values) {
        long now = Instant.now().toEpochMilli() * 1000;
        SampleBatch b = new SampleBatch(values.length);
        for (int i = 0; i < values.length; i++) {
            b.add(SampleEvent.UNRESOLVED, key, now + i, values[i], SampleSink.NO_STEP);
        }
        return b;
    }
}
