package io.sluice.storage;

import io.sluice.codec.SampleSink;
import io.sluice.codec.SeriesKey;
import io.sluice.storage.db.DatabaseUrl;
import io.sluice.storage.db.Partitions;
import io.sluice.storage.db.Schema;
import io.sluice.storage.metrics.Metrics;
import io.sluice.storage.ring.SampleBatch;
import io.sluice.storage.ring.SampleEvent;
import io.sluice.storage.writer.WriterConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The ring, the writers and the schema against a real PostgreSQL. */
class StorageIT {
    private Storage storage;

    @AfterEach
    void close() {
        if (storage != null) {
            storage.close();
        }
    }

    static StorageConfig config(DatabaseUrl url, int writers, int batchSize) {
        return TestDatabase.storageConfig(url, writers, batchSize);
    }

    @Test
    void acknowledgedSamplesAreCommittedExactlyOnceWithTheirValues() throws Exception {
        DatabaseUrl url = TestDatabase.fresh("ack");
        storage = Storage.open(config(url, 2, 100), new Metrics());
        storage.start();
        long now = Instant.now().toEpochMilli() * 1000;
        SampleBatch batch = new SampleBatch(16);
        SeriesKey a = storage.registry().pending(SeriesKey.of("cpu_usage", Map.of("host", "a", "region", "eu")));
        SeriesKey b = storage.registry().pending(SeriesKey.of("loss", Map.of("run_id", "r1")));
        for (int i = 0; i < 1000; i++) {
            batch.add(SampleEvent.UNRESOLVED, i % 2 == 0 ? a : b, now + i, i * 0.5, i % 2 == 0 ? SampleSink.NO_STEP : i);
        }
        assertThat(request(batch).get(60, TimeUnit.SECONDS)).isEqualTo("ok");

        // Committed before the ack: visible at once, with series, values and steps intact.
        assertThat(TestDatabase.count(url, "SELECT count(*) FROM samples")).isEqualTo(1000);
        assertThat(TestDatabase.count(url, "SELECT count(*) FROM series")).isEqualTo(2);
        try (Connection c = TestDatabase.connect(url); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT metric, tags->>'host', sum(value), count(step), min(time)"
                     + " FROM metrics GROUP BY 1, 2 ORDER BY 1")) {
            rs.next();
            assertThat(rs.getString(1)).isEqualTo("cpu_usage");
            assertThat(rs.getString(2)).isEqualTo("a");
            assertThat(rs.getDouble(3)).isEqualTo(sumOfHalves(0, 1000, 0));
            assertThat(rs.getLong(4)).isZero();
            assertThat(rs.getTimestamp(5).toInstant()).isEqualTo(Instant.ofEpochSecond(0, now * 1000));
            rs.next();
            assertThat(rs.getString(1)).isEqualTo("loss");
            assertThat(rs.getDouble(3)).isEqualTo(sumOfHalves(0, 1000, 1));
            assertThat(rs.getLong(4)).isEqualTo(500);
        }
        assertThat(storage.registry().idOf(SeriesKey.of("loss", Map.of("run_id", "r1")))).isPositive();
        assertThat(storage.registry().pendingCount()).isZero();
    }

    private static double sumOfHalves(int from, int to, int parity) {
        double s = 0;
        for (int i = from; i < to; i++) {
            if (i % 2 == parity) {
                s += i * 0.5;
            }
        }
        return s;
    }

    @Test
    void aCompleteAcknowledgedRequestIsCommittedWithoutWaitingForTheLinger() throws Exception {
        DatabaseUrl url = TestDatabase.fresh("no_linger");
        StorageConfig base = config(url, 2, 100_000);
        storage = Storage.open(new StorageConfig(url, new WriterConfig(2, 100_000, 60_000, 200, false), base.ringSize(),
                base.maxSeries(), base.chunkInterval(), base.partitionsAhead(), true, base.shutdownTimeout(), 2,
                base.retentionRaw(), base.retention1m()), new Metrics());
        storage.start();
        long now = Instant.now().toEpochMilli() * 1000;
        SeriesKey key = storage.registry().pending(SeriesKey.of("linger", Map.of()));
        SampleBatch udp = new SampleBatch(10);
        for (int i = 0; i < 10; i++) {
            udp.add(SampleEvent.UNRESOLVED, key, now + i, i, SampleSink.NO_STEP);
        }
        assertThat(storage.ingest().publishBestEffort(udp)).isEqualTo(10);
        Thread.sleep(500);
        // Best effort: nobody waits, so the partial batch lingers to grow.
        assertThat(TestDatabase.count(url, "SELECT count(*) FROM samples")).isZero();

        SampleBatch batch = new SampleBatch(1000);
        for (int i = 0; i < 1000; i++) {
            batch.add(SampleEvent.UNRESOLVED, key, now + 100 + i, i, SampleSink.NO_STEP);
        }
        // Four slots; only the last marks the request's end. A 60 s linger would time this out:
        // the writer commits as soon as the request is whole.
        assertThat(request(batch).get(60, TimeUnit.SECONDS)).isEqualTo("ok");
        assertThat(TestDatabase.count(url, "SELECT count(*) FROM samples")).isEqualTo(1010);
    }

    @Test
    void aRequestWithASampleWhoseSeriesCannotBeRegisteredIsNotStoredAtAll() throws Exception {
        DatabaseUrl url = TestDatabase.fresh("ghost");
        storage = Storage.open(config(url, 1, 10_000), new Metrics());
        // The database silently refuses one series: the insert returns nothing and no row exists,
        // which is what the registry sees when it loses every retry of a race.
        try (Connection c = TestDatabase.connect(url); Statement st = c.createStatement()) {
            st.execute("CREATE FUNCTION refuse_ghost() RETURNS trigger LANGUAGE plpgsql AS"
                    + " $$ BEGIN IF NEW.metric = 'ghost' THEN RETURN NULL; END IF; RETURN NEW; END $$");
            st.execute("CREATE TRIGGER refuse_ghost BEFORE INSERT ON series FOR EACH ROW EXECUTE FUNCTION refuse_ghost()");
        }
        storage.start();
        long now = Instant.now().toEpochMilli() * 1000;
        SampleBatch batch = new SampleBatch(16);
        SeriesKey ok = storage.registry().pending(SeriesKey.of("real", Map.of()));
        SeriesKey ghost = storage.registry().pending(SeriesKey.of("ghost", Map.of()));
        for (int i = 0; i < 10; i++) {
            batch.add(SampleEvent.UNRESOLVED, i == 5 ? ghost : ok, now + i, i, SampleSink.NO_STEP);
        }
        assertThat(request(batch).get(60, TimeUnit.SECONDS)).contains("could not be registered");
        // A request is stored whole or not at all: none of its samples is.
        assertThat(TestDatabase.count(url, "SELECT count(*) FROM samples")).isZero();

        // A request of only registrable series in the same writer's next batch is acknowledged.
        SampleBatch next = new SampleBatch(4);
        next.add(storage.registry().idOf(ok), null, now + 100, 1, SampleSink.NO_STEP);
        assertThat(request(next).get(60, TimeUnit.SECONDS)).isEqualTo("ok");
    }

    @Test
    void manyNewSeriesInOneBatchEachGetTheirOwnSamples() throws Exception {
        DatabaseUrl url = TestDatabase.fresh("many_new");
        storage = Storage.open(config(url, 1, 10_000), new Metrics());
        storage.start();
        long now = Instant.now().toEpochMilli() * 1000;
        SampleBatch batch = new SampleBatch(500);
        for (int i = 0; i < 500; i++) {
            SeriesKey k = storage.registry().pending(SeriesKey.of("many", Map.of("i", Integer.toString(i))));
            batch.add(SampleEvent.UNRESOLVED, k, now, i, SampleSink.NO_STEP);
        }
        assertThat(request(batch).get(60, TimeUnit.SECONDS)).isEqualTo("ok");
        // Each sample's value names its series: any mix-up between new series shows here.
        assertThat(TestDatabase.count(url, "SELECT count(*) FROM metrics WHERE tags->>'i' <> value::int::text")).isZero();
        assertThat(TestDatabase.count(url, "SELECT count(*) FROM metrics")).isEqualTo(500);
    }

    @Test
    void schemaIsIdempotentAndSeriesSurviveARestart() throws Exception {
        DatabaseUrl url = TestDatabase.fresh("restart");
        storage = Storage.open(config(url, 1, 10), new Metrics());
        storage.start();
        publishOneAndWait(SeriesKey.of("mem_used", Map.of("host", "b")), Instant.now().toEpochMilli() * 1000, 42);
        storage.close();
        storage = Storage.open(config(url, 1, 10), new Metrics());
        assertThat(storage.flavor()).isEqualTo(Schema.Flavor.POSTGRES);
        assertThat(storage.registry().idOf(SeriesKey.of("mem_used", Map.of("host", "b")))).isPositive();
        assertThat(TestDatabase.count(url, "SELECT count(*) FROM sluice_schema")).isEqualTo(Schema.STEPS.size());
    }

    @Test
    void aSampleOutsideEveryPartitionGetsItsPartitionCreated() throws Exception {
        DatabaseUrl url = TestDatabase.fresh("partition");
        storage = Storage.open(config(url, 1, 10), new Metrics());
        storage.start();
        // Older than retention (the window maintenance keeps): a sample the server would refuse,
        // or one that waited in the ring while retention dropped its day.
        long longAgo = Instant.now().minus(Duration.ofDays(400)).toEpochMilli() * 1000;
        assertThat(storage.partitions().has(Partitions.dayOf(longAgo))).isFalse();
        publishOneAndWait(SeriesKey.of("old", Map.of()), longAgo, 1);
        assertThat(TestDatabase.count(url, "SELECT count(*) FROM samples")).isEqualTo(1);
        assertThat(storage.partitions().has(Partitions.dayOf(longAgo))).isTrue();
    }

    @Test
    void retentionDropsWholePartitionsOlderThanTheCutoff() throws Exception {
        DatabaseUrl url = TestDatabase.fresh("retention");
        storage = Storage.open(config(url, 1, 10), new Metrics());
        storage.start();
        long now = Instant.now().toEpochMilli() * 1000;
        publishOneAndWait(SeriesKey.of("r", Map.of()), now - 40 * Partitions.DAY_MICROS, 1);
        publishOneAndWait(SeriesKey.of("r", Map.of()), now, 2);
        try (Connection c = TestDatabase.connect(url); Connection other = TestDatabase.connect(url);
             Statement st = other.createStatement()) {
            // Another node compacting: retention waits rather than queue a DROP behind a rebuild.
            st.execute("SELECT pg_advisory_lock(" + Partitions.COMPACT_LOCK_KEY + ")");
            assertThat(storage.partitions().dropOlderThan(c, now - 30 * Partitions.DAY_MICROS)).isZero();
            assertThat(TestDatabase.count(url, "SELECT count(*) FROM samples")).isEqualTo(2);
            st.execute("SELECT pg_advisory_unlock(" + Partitions.COMPACT_LOCK_KEY + ")");
            assertThat(storage.partitions().dropOlderThan(c, now - 30 * Partitions.DAY_MICROS)).isGreaterThanOrEqualTo(1);
            // And it gave the lock back.
            try (ResultSet rs = st.executeQuery("SELECT pg_try_advisory_lock(" + Partitions.COMPACT_LOCK_KEY + ")")) {
                assertThat(rs.next() && rs.getBoolean(1)).isTrue();
            }
        }
        assertThat(TestDatabase.count(url, "SELECT count(*) FROM samples")).isEqualTo(1);
    }

    @Test
    void closedDaysGetTheirIndexRebuiltOnceAndTodayIsLeftAlone() throws Exception {
        DatabaseUrl url = TestDatabase.fresh("compact");
        storage = Storage.open(config(url, 1, 10), new Metrics());
        long today = Partitions.dayOf(Instant.now().toEpochMilli() * 1000);
        // Rows inserted by SQL where no hot piece exists land in the day's default partition, whose
        // B-tree is filled row by row (pieces get theirs built once when sealed).
        String old = io.sluice.storage.db.Pieces.restName(io.sluice.storage.db.Partitions.dayName(today - 3));
        try (Connection c = TestDatabase.connect(url); Statement st = c.createStatement()) {
            storage.partitions().ensure(c, List.of(today - 3, today));
            // As samples arrive: time by time, all series interleaved, so index pages split half full.
            for (long day : List.of(today - 3, today)) {
                st.execute("INSERT INTO samples (time, series_id, value) SELECT to_timestamp(" + day * 86_400
                        + " + t), s, t FROM generate_series(0, 399) t, generate_series(1, 50) s ORDER BY t, s");
            }
            // What an interrupted rebuild leaves: an invalid index named *_ccnew (here a unique
            // index that fails on duplicates, built concurrently so the failure leaves it behind).
            try {
                st.execute("CREATE UNIQUE INDEX CONCURRENTLY " + old + "_idx_ccnew ON " + old + " (series_id)");
            } catch (java.sql.SQLException expected) {
                // duplicate key: the invalid index stays
            }
            assertThat(TestDatabase.count(url, "SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid"
                    + " WHERE c.relname = '" + old + "' AND NOT i.indisvalid")).isEqualTo(1);
            long before = TestDatabase.count(url, "SELECT sum(pg_relation_size(indexrelid))::int8 FROM pg_index"
                    + " WHERE indrelid = '" + old + "'::regclass AND indisvalid");

            // Two hours into today: yesterday (created ahead by Storage) and three days ago are over.
            long at = today * Partitions.DAY_MICROS + 2 * 3_600_000_000L;
            assertThat(storage.partitions().compactClosedDays(c, at, 60_000)).isEqualTo(2);
            assertThat(TestDatabase.count(url, "SELECT sum(pg_relation_size(indexrelid))::int8 FROM pg_index"
                    + " WHERE indrelid = '" + old + "'::regclass AND indisvalid")).isLessThan(before * 3 / 4);
            assertThat(TestDatabase.count(url, "SELECT count(*) FROM " + old + " WHERE series_id = 7")).isEqualTo(400);
            assertThat(TestDatabase.count(url, "SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid"
                    + " WHERE c.relname = '" + old + "'")).as("its B-tree and the BRIN on time, valid, the leftover dropped")
                    .isEqualTo(2);
            assertThat(TestDatabase.count(url, "SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid"
                    + " WHERE c.relname = '" + old + "' AND i.indisvalid")).isEqualTo(2);
            // Done once; today is still being written.
            assertThat(storage.partitions().compactClosedDays(c, at, 60_000)).isZero();

            // A backfill into the closed day after its rebuild: the B-tree is kept up to date row by
            // row (a query finds the new rows through it), but fills half full again; once it has
            // grown by half it is rebuilt again.
            long compacted = indexBytes(url, old);
            st.execute("INSERT INTO samples (time, series_id, value) SELECT to_timestamp(" + (today - 3) * 86_400
                    + " + 400 + t), s, t FROM generate_series(0, 1599) t, generate_series(1, 50) s ORDER BY t, s");
            assertThat(TestDatabase.count(url, "SELECT count(*) FROM " + old + " WHERE series_id = 7")).isEqualTo(2000);
            long grown = indexBytes(url, old);
            assertThat(grown).isGreaterThan(compacted * 3 / 2 + Partitions.RECOMPACT_MIN_GROWTH);
            assertThat(storage.partitions().compactClosedDays(c, at, 60_000)).isEqualTo(1);
            assertThat(indexBytes(url, old)).isLessThan(grown * 3 / 4);
            assertThat(storage.partitions().compactClosedDays(c, at, 60_000)).isZero();
            assertThat(TestDatabase.count(url, "SELECT count(*) FROM pg_class WHERE relname = '"
                    + io.sluice.storage.db.Pieces.restName(io.sluice.storage.db.Partitions.dayName(today))
                    + "' AND obj_description(oid, 'pg_class') IS NULL")).isEqualTo(1);
        }
    }

    private static long indexBytes(DatabaseUrl url, String table) throws Exception {
        return TestDatabase.count(url, "SELECT sum(pg_relation_size(indexrelid))::int8 FROM pg_index"
                + " WHERE indrelid = '" + table + "'::regclass AND indisvalid");
    }

    @Test
    void twoNodesResolvingTheSameNewSeriesAgreeOnOneId() throws Exception {
        DatabaseUrl url = TestDatabase.fresh("race");
        storage = Storage.open(config(url, 2, 10), new Metrics());
        Storage other = Storage.open(config(url, 2, 10), new Metrics());
        try {
            List<SeriesKey> keys = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                keys.add(SeriesKey.of("m", Map.of("i", Integer.toString(i))));
            }
            CompletableFuture<int[]> x = CompletableFuture.supplyAsync(() -> resolve(storage, keys));
            CompletableFuture<int[]> y = CompletableFuture.supplyAsync(() -> resolve(other, keys));
            assertThat(x.get(60, TimeUnit.SECONDS)).containsExactly(y.get(60, TimeUnit.SECONDS));
            assertThat(TestDatabase.count(url, "SELECT count(*) FROM series")).isEqualTo(200);
        } finally {
            other.close();
        }
    }

    @Test
    void theSeriesLimitRefusesNewSeriesButNotKnownOnes() throws Exception {
        DatabaseUrl url = TestDatabase.fresh("limit");
        StorageConfig base = config(url, 1, 10);
        StorageConfig small = new StorageConfig(url, base.writer(), base.ringSize(), 2, base.chunkInterval(),
                base.partitionsAhead(), true, base.shutdownTimeout(), 2, base.retentionRaw(), base.retention1m());
        storage = Storage.open(small, new Metrics());
        SeriesKey one = SeriesKey.of("a", Map.of());
        assertThat(storage.registry().pending(one)).isNotNull();
        assertThat(storage.registry().pending(SeriesKey.of("b", Map.of()))).isNotNull();
        assertThat(storage.registry().pending(SeriesKey.of("c", Map.of()))).isNull();
        assertThat(storage.registry().pending(one)).isNotNull();
    }

    private static int[] resolve(Storage s, List<SeriesKey> keys) {
        try (Connection c = s.dataSource().getConnection()) {
            c.setAutoCommit(false);
            int[] ids = s.registry().resolve(c, keys);
            c.commit();
            return ids;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private CompletableFuture<String> request(SampleBatch batch) {
        return Writes.request(storage, batch);
    }

    private void publishOneAndWait(SeriesKey key, long timeMicros, double value) throws Exception {
        SampleBatch batch = new SampleBatch(1);
        int id = storage.registry().idOf(key);
        batch.add(id, id < 0 ? storage.registry().pending(key) : null, timeMicros, value, SampleSink.NO_STEP);
        assertThat(request(batch).get(60, TimeUnit.SECONDS)).isEqualTo("ok");
    }
}
