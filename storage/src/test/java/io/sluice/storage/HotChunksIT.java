package io.sluice.storage;

import io.sluice.codec.SeriesKey;
import io.sluice.storage.db.DatabaseUrl;
import io.sluice.storage.db.HotChunks;
import io.sluice.storage.db.Schema;
import io.sluice.storage.metrics.Metrics;
import io.sluice.storage.query.Aggregation;
import io.sluice.storage.query.Query;
import io.sluice.storage.query.QueryResult;
import io.sluice.storage.query.QueryService;
import io.sluice.storage.query.SeriesScope;
import io.sluice.storage.query.Source;
import io.sluice.storage.ring.SampleBatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The hot tier on TimescaleDB (README, "Hot tier and head"): chunks without an index until their
 * time is over, then one index build each; the head answers the open chunk. Runs against the
 * server named by {@code SLUICE_TEST_TIMESCALE_URL}, skipped with the reason otherwise.
 */
class HotChunksIT {
    private static final String METRIC = "ts_hot";
    private static final long MINUTE = 60_000_000L;
    private static final long DAY = 1440 * MINUTE;
    private DatabaseUrl url;
    private Storage storage;

    @BeforeEach
    void database() throws Exception {
        url = TestDatabase.freshTimescale();
    }

    @AfterEach
    void close() throws Exception {
        if (storage != null) {
            storage.close();
        }
        if (url != null) {
            TestDatabase.dropTimescale(url);
        }
    }

    /** Storage on TimescaleDB with chunks of {@code chunkInterval}, sealed as soon as their time is over. */
    private void open(String chunkInterval) throws Exception {
        StorageConfig base = TestDatabase.storageConfig(url, 2, 500);
        storage = Storage.open(new StorageConfig(base.database(), base.writer(), base.ringSize(), base.maxSeries(),
                chunkInterval, base.partitionsAhead(), true, base.shutdownTimeout(), base.extraConnections(),
                base.retentionRaw(), base.retention1m(), new HotTierConfig(Duration.ofMinutes(1), Duration.ZERO, 64L << 20)),
                new Metrics());
        storage.start();
        assertThat(storage.flavor()).isEqualTo(Schema.Flavor.TIMESCALE);
    }

    /** {@code n} samples over {@code series} series, one every {@code stepMicros} from {@code from}, as one request. */
    private void write(long from, long stepMicros, int n, int series, double base) throws Exception {
        SampleBatch batch = new SampleBatch(n);
        for (int i = 0; i < n; i++) {
            Writes.add(storage, batch, SeriesKey.of(METRIC, Map.of("host", "h" + (i % series))), from + i * stepMicros,
                    base + i);
        }
        assertThat(Writes.request(storage, batch).get(30, TimeUnit.SECONDS)).isEqualTo("ok");
    }

    private List<HotChunks.Chunk> chunks() throws Exception {
        try (Connection c = storage.dataSource().getConnection()) {
            return HotChunks.list(c);
        }
    }

    private static long points(QueryResult r) {
        return r.series().stream().mapToLong(e -> e.points().size()).sum();
    }

    private static double sum(QueryResult r) {
        double s = 0;
        for (QueryResult.Entry e : r.series()) {
            for (int i = 0; i < e.points().size(); i++) {
                s += e.points().value(i);
            }
        }
        return s;
    }

    private QueryService queries(boolean withHead) {
        QueryService q = new QueryService(storage.dataSource(), true);
        if (withHead) {
            q.headFrom(storage.head());
        }
        return q;
    }

    private static QueryResult query(QueryService q, long from, long to, long step, Aggregation agg, Source source)
            throws Exception {
        return q.query(SeriesScope.ALL, new Query(METRIC, Map.of(), from, to, step, 0, agg, source));
    }

    @Test
    void rowsWrittenBeforeDuringAndAfterASealAreAnsweredExactlyOnce() throws Exception {
        open("1 minute");
        // The refresh policies run when this test says (TimescaleIT.runRefreshPolicies), not on their schedule.
        assertThat(TestDatabase.count(url, "SELECT count(*) FROM (SELECT alter_job(job_id, scheduled => false)"
                + " FROM timescaledb_information.jobs WHERE proc_name = 'policy_refresh_continuous_aggregate') j")).isEqualTo(3);
        assertThat(TestDatabase.count(url, "SELECT count(*) FROM pg_indexes WHERE tablename = 'samples'")).isZero();
        long now = Instant.now().toEpochMilli() * 1000;
        long t0 = Math.floorDiv(now, MINUTE) * MINUTE - 4 * MINUTE; // four one-minute chunks ago
        write(t0, 20_000, 6_000, 10, 0);                              // 2 minutes: chunks t0 and t0+1m
        write(now - 1_000_000, 1, 10, 10, 0);                         // and the current minute
        assertThat(chunks()).hasSizeGreaterThanOrEqualTo(3).noneMatch(HotChunks.Chunk::sealed);
        QueryService q = queries(true);
        long end = now + 1;
        assertThat(points(query(q, t0, end, 0, Aggregation.AVG, Source.RAW))).isEqualTo(6_010);

        // Late samples for those minutes while a seal runs.
        CompletableFuture<Integer> seal = CompletableFuture.supplyAsync(storage::sealDue);
        write(t0 + 10_000, 20_000, 3_000, 10, 100_000);
        assertThat(seal.get(60, TimeUnit.SECONDS)).isGreaterThanOrEqualTo(0);
        storage.sealDue(); // whatever the first run did not get to
        long sealedAt = Instant.now().toEpochMilli() * 1000;
        assertThat(chunks()).filteredOn(ch -> ch.endMicros() <= sealedAt).isNotEmpty().allMatch(HotChunks.Chunk::sealed);
        assertThat(chunks()).filteredOn(ch -> ch.endMicros() > sealedAt).noneMatch(HotChunks.Chunk::sealed);
        // The head starts where the open chunk does: it answers that chunk, the indexes the rest.
        assertThat(storage.head().from()).isLessThanOrEqualTo(sealedAt).isGreaterThan(t0 + 2 * MINUTE);

        write(t0 + 5_000, 20_000, 1_000, 10, 200_000);               // after: into sealed chunks
        long total = 10_010;
        for (QueryService each : List.of(q, queries(false))) {
            assertThat(points(query(each, t0, end, 0, Aggregation.AVG, Source.RAW))).isEqualTo(total);
        }
        assertThat(TestDatabase.count(url, "SELECT count(*) FROM metrics WHERE metric = '" + METRIC + "'")).isEqualTo(total);
        assertThat(TestDatabase.count(url, "SELECT count(DISTINCT (series_id, time)) FROM samples")).isEqualTo(total);
        // Rollups count each sample once: the continuous aggregates below the head's start, the
        // head above it; before the refresh policies materialise them, after, and after late
        // samples for a materialised sealed chunk, which the next refresh folds in.
        for (int round = 0; round < 3; round++) {
            if (round == 2) {
                write(t0 + 7_000, 20_000, 500, 10, 300_000);
                total += 500;
                TimescaleIT.runRefreshPolicies(url);
            }
            assertThat(TestDatabase.count(url, "SELECT sum(count) FROM samples_1m")).isEqualTo(total);
            for (Source source : new Source[] {Source.M1, Source.H1}) {
                long from = Math.floorDiv(t0, source.bucketMicros) * source.bucketMicros; // whole buckets
                for (QueryService each : List.of(q, queries(false))) {
                    QueryResult counts = query(each, from, end, source.bucketMicros, Aggregation.COUNT, source);
                    assertThat(sum(counts)).as(source + " round " + round).isEqualTo(total);
                }
                QueryResult raw = query(q, from, end, source.bucketMicros, Aggregation.SUM, Source.RAW);
                QueryResult rolled = query(q, from, end, source.bucketMicros, Aggregation.SUM, source);
                assertThat(sum(rolled)).as(source + " round " + round).isCloseTo(sum(raw), org.assertj.core.api.Assertions.within(1e-3));
            }
            if (round == 0) {
                TimescaleIT.runRefreshPolicies(url);
            }
        }
    }

    /**
     * A seal cut short (its backend ended mid-build, as by a database restart or a killed
     * connection) leaves an invalid index: the chunk still counts as hot, its rows are all
     * answered once, and the next run drops the index and builds it again.
     */
    @Test
    void aSealCutShortIsBuiltAgainAndLosesNothing() throws Exception {
        open("1 minute");
        long now = Instant.now().toEpochMilli() * 1000;
        long t0 = Math.floorDiv(now, MINUTE) * MINUTE - 3 * MINUTE;
        write(t0, 20_000, 3_000, 10, 0); // one closed minute
        HotChunks.Chunk chunk = chunks().get(0);
        String schema = chunk.name().substring(0, chunk.name().lastIndexOf('.') + 1);
        try (Connection old = TestDatabase.connect(url); Statement holder = old.createStatement();
             Connection builder = TestDatabase.connect(url); Statement build = builder.createStatement()) {
            // An open transaction makes a concurrent build wait, after its index is in the catalogue.
            old.setAutoCommit(false);
            holder.execute("SELECT txid_current()");
            int pid;
            try (ResultSet rs = build.executeQuery("SELECT pg_backend_pid()")) {
                rs.next();
                pid = rs.getInt(1);
            }
            CompletableFuture<Void> cut = CompletableFuture.runAsync(() -> {
                try {
                    build.execute("CREATE INDEX CONCURRENTLY " + chunk.index() + " ON " + chunk.name()
                            + " (series_id, time DESC) INCLUDE (value)");
                } catch (java.sql.SQLException expected) {
                    // terminated below
                }
            });
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> TestDatabase.count(url,
                    "SELECT count(*) FROM pg_stat_activity WHERE pid = " + pid + " AND wait_event_type = 'Lock'") == 1);
            assertThat(TestDatabase.count(url, "SELECT count(*) FROM pg_index WHERE NOT indisvalid AND indexrelid = '"
                    + schema + chunk.index() + "'::regclass")).isEqualTo(1);
            try (Connection admin = TestDatabase.connect(url); Statement st = admin.createStatement()) {
                st.execute("SELECT pg_terminate_backend(" + pid + ")");
            }
            cut.get(30, TimeUnit.SECONDS);
            old.rollback();
        }
        assertThat(chunks().get(0).sealed()).isFalse();
        assertThat(points(query(queries(true), t0, now, 0, Aggregation.AVG, Source.RAW))).isEqualTo(3_000);

        assertThat(storage.sealDue()).isPositive();
        assertThat(chunks().get(0).sealed()).isTrue();
        assertThat(TestDatabase.count(url, "SELECT count(*) FROM pg_index WHERE indisvalid AND indexrelid = '"
                + schema + chunk.index() + "'::regclass")).isEqualTo(1);
        assertThat(TestDatabase.count(url, "SELECT count(DISTINCT (series_id, time)) FROM samples")).isEqualTo(3_000);
        assertThat(points(query(queries(true), t0, now, 0, Aggregation.AVG, Source.RAW))).isEqualTo(3_000);
    }

    /**
     * A database set up by the steps before the hot tier: every chunk carries the hypertable's
     * index. The new step gives each its own, so old chunks stay indexed (and one in the
     * columnstore keeps answering); chunks made afterwards have none until sealed.
     */
    @Test
    void aDatabaseOfTheLayoutBeforeKeepsItsIndexOnOldChunks() throws Exception {
        long now = Instant.now().toEpochMilli() * 1000;
        long today = Math.floorDiv(now, DAY) * DAY;
        try (Connection c = TestDatabase.connect(url); Statement st = c.createStatement()) {
            st.execute("CREATE EXTENSION IF NOT EXISTS timescaledb");
            st.execute("CREATE TABLE sluice_schema (step text PRIMARY KEY, flavor text NOT NULL,"
                    + " applied_at timestamptz NOT NULL DEFAULT now())");
            for (String step : Schema.STEPS.subList(0, Schema.STEPS.indexOf("011_hot_chunks"))) {
                st.execute(schemaFile(step).replace("${chunk_interval}", "1 day"));
                st.execute("INSERT INTO sluice_schema (step, flavor) VALUES ('" + step + "', 'timescale')");
            }
            st.execute("INSERT INTO series (metric, tags) VALUES ('" + METRIC + "', '{\"host\": \"a\"}'),"
                    + " ('" + METRIC + "', '{\"host\": \"b\"}')");
            for (long day : new long[] {today - 8 * DAY, today - 2 * DAY, today}) {
                st.execute("INSERT INTO samples (time, series_id, value) SELECT to_timestamp(" + day / 1_000_000
                        + ") + g * INTERVAL '10 seconds', 1 + g % 2, g FROM generate_series(0, 999) g");
            }
            // A week-old chunk already in the columnstore, as the compression policy leaves it.
            st.execute("ALTER TABLE samples SET (timescaledb.compress, timescaledb.compress_segmentby = 'series_id',"
                    + " timescaledb.compress_orderby = 'time DESC')");
            st.execute("SELECT compress_chunk(c) FROM show_chunks('samples', older_than => now() - INTERVAL '7 days') c");
            assertThat(TestDatabase.count(url, "SELECT count(*) FROM pg_indexes WHERE tablename = 'samples'")).isEqualTo(1);
        }

        open("1 hour");
        assertThat(TestDatabase.count(url, "SELECT count(*) FROM sluice_schema")).isEqualTo(Schema.STEPS.size());
        assertThat(TestDatabase.count(url, "SELECT count(*) FROM pg_indexes WHERE tablename = 'samples'")).isZero();
        List<HotChunks.Chunk> old = chunks();
        assertThat(old).hasSize(3).allMatch(HotChunks.Chunk::sealed);
        try (Connection c = TestDatabase.connect(url); Statement st = c.createStatement()) {
            for (HotChunks.Chunk ch : old) {
                try (ResultSet rs = st.executeQuery("SELECT indisvalid FROM pg_index WHERE indexrelid = '"
                        + ch.name().substring(0, ch.name().lastIndexOf('.') + 1) + ch.index() + "'::regclass")) {
                    assertThat(rs.next()).as(ch.name()).isTrue();
                    assertThat(rs.getBoolean(1)).as(ch.name()).isTrue();
                }
            }
            // One series' hour of an old chunk is read through its index, not by reading the chunk.
            st.execute("SET enable_seqscan = off"); // a chunk of 1,000 rows would be read whole otherwise
            StringBuilder plan = new StringBuilder();
            try (ResultSet rs = st.executeQuery("EXPLAIN SELECT time, value FROM samples WHERE series_id = 1 AND time >= to_timestamp("
                    + (today - 2 * DAY) / 1_000_000 + ") AND time < to_timestamp(" + (today - 2 * DAY + 60 * MINUTE) / 1_000_000 + ")")) {
                while (rs.next()) {
                    plan.append(rs.getString(1)).append('\n');
                }
            }
            assertThat(plan.toString()).contains("_series_time");
        }
        QueryService q = queries(true);
        assertThat(points(query(q, today - 9 * DAY, now + 1, 0, Aggregation.AVG, Source.RAW))).isEqualTo(3_000);
        assertThat(sum(query(q, today - 9 * DAY, now + 1, DAY, Aggregation.COUNT, Source.D1))).isEqualTo(3_000);

        // Chunks made from now on: an hour, no index until sealed. Today's day chunk is still
        // there, so the first hour chunk comes after it.
        long tomorrow = today + DAY;
        write(tomorrow + 5 * MINUTE, 1_000_000, 100, 2, 0);
        HotChunks.Chunk fresh = chunks().get(3);
        assertThat(fresh.endMicros() - fresh.startMicros()).isEqualTo(60 * MINUTE);
        assertThat(fresh.sealed()).isFalse();
        assertThat(TestDatabase.count(url, "SELECT count(*) FROM pg_indexes WHERE tablename = '"
                + fresh.name().substring(fresh.name().lastIndexOf('.') + 1) + "'")).isZero();
        assertThat(points(query(q, today - 9 * DAY, tomorrow + DAY, 0, Aggregation.AVG, Source.RAW))).isEqualTo(3_100);
    }

    private static String schemaFile(String step) throws Exception {
        for (String name : new String[] {"schema/" + step + ".timescale.sql", "schema/" + step + ".sql"}) {
            try (InputStream in = HotChunksIT.class.getClassLoader().getResourceAsStream(name)) {
                if (in != null) {
                    return new String(in.readAllBytes(), StandardCharsets.UTF_8);
                }
            }
        }
        throw new IllegalStateException("no schema file for " + step);
    }
}
