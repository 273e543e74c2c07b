package io.sluice.storage;

import io.sluice.codec.SeriesKey;
import io.sluice.storage.db.DatabaseUrl;
import io.sluice.storage.head.Head;
import io.sluice.storage.metrics.Metrics;
import io.sluice.storage.query.Source;
import io.sluice.storage.ring.SampleBatch;
import io.sluice.storage.writer.JournalConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The 1-minute rollup of the newest minutes from the head's aggregates (README, "Ask for it": rollups): after
 * live writes, late samples, a restart and a head over its bound, every rollup row is what a full
 * recompute from the raw samples gives, and the parts of a refresh commit on their own.
 */
class RollupFromHeadIT {
    private static final long MINUTE = 60_000_000L;
    private static final long HOUR = 60 * MINUTE;
    private static final long DAY = 24 * HOUR;
    private static final String METRIC = "roll_cpu";

    private Storage storage;
    private Metrics metrics;
    private final Random random = new Random(18);
    /** Writes acknowledged on a journal row, the samples written behind (README, write_ack = journal). */
    private boolean journal;

    @AfterEach
    void close() {
        if (storage != null) {
            storage.close();
        }
    }

    /**
     * A fresh database whose head covers at least the last 59 minutes: the piece of that time is
     * made, and the head loaded at the restart starts there. (Pieces are sealed a day after their
     * hour here, so none is sealed meanwhile.)
     */
    private DatabaseUrl fresh(String name, long headBytes) throws Exception {
        DatabaseUrl url = TestDatabase.fresh(name);
        open(url, headBytes);
        try (Connection c = storage.dataSource().getConnection()) {
            storage.pieces().ensure(c, java.util.List.of(storage.pieces().pieceOf(
                    Instant.now().toEpochMilli() * 1000 - 59 * MINUTE)));
        }
        storage.close();
        open(url, headBytes);
        assertThat(storage.head().minutesFrom()).isLessThanOrEqualTo(Instant.now().toEpochMilli() * 1000 - 59 * MINUTE);
        return url;
    }

    private void open(DatabaseUrl url, long headBytes) throws Exception {
        StorageConfig base = TestDatabase.storageConfig(url, 2, 500);
        metrics = new Metrics();
        storage = Storage.open(new StorageConfig(base.database(), base.writer(), base.ringSize(), base.maxSeries(),
                base.chunkInterval(), base.partitionsAhead(), false, base.shutdownTimeout(), base.extraConnections(),
                base.retentionRaw(), base.retention1m(), new HotTierConfig(Duration.ofHours(1), Duration.ofDays(1),
                        headBytes), journal ? new JournalConfig(true, 65_536, 200) : JournalConfig.COMMIT), metrics);
        storage.start();
    }

    /** {@code n} samples per series over {@code series} series, every {@code step} from {@code from}, in requests of 500. */
    private void write(long from, long step, int n, int series) throws Exception {
        SampleBatch batch = new SampleBatch(500);
        for (int i = 0; i < n; i++) {
            for (int s = 0; s < series; s++) {
                // Distinct times within a series, so that first and last have one answer.
                long t = from + i * step + s * 1_000L + random.nextInt(900);
                Writes.add(storage, batch, SeriesKey.of(METRIC, Map.of("host", "h" + s)), t,
                        Math.round(random.nextGaussian() * 10_000) / 100.0);
                if (batch.size() == 500) {
                    assertThat(Writes.request(storage, batch).get(60, TimeUnit.SECONDS)).isEqualTo("ok");
                    batch = new SampleBatch(500);
                }
            }
        }
        if (batch.size() > 0) {
            assertThat(Writes.request(storage, batch).get(60, TimeUnit.SECONDS)).isEqualTo("ok");
        }
    }

    private void refresh(Instant now) throws Exception {
        try (Connection c = storage.dataSource().getConnection()) {
            storage.rollups().refresh(c, now);
        }
        if (journal) {
            // That refresh may have run before the flusher wrote the samples: the next one reads again
            // what the flusher recorded as late (and what the head named missed).
            await().atMost(Duration.ofSeconds(60)).until(() -> storage.journal().pending() == 0
                    && count("SELECT count(*) FROM sluice_journal") == 0);
            try (Connection c = storage.dataSource().getConnection()) {
                storage.rollups().refresh(c, now);
            }
        }
    }

    private long count(String sql) throws Exception {
        try (Connection c = storage.dataSource().getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private long watermark(Source level) throws Exception {
        try (Connection c = storage.dataSource().getConnection()) {
            return io.sluice.storage.query.Rollups.watermark(c, level, Long.MIN_VALUE);
        }
    }

    /**
     * Every row of {@code samples_1m}, {@code samples_1h} and {@code samples_1d} before its watermark
     * equals the same aggregates computed from all raw samples now, and no bucket is missing.
     */
    private void assertRollupsAreAFullRecompute(DatabaseUrl url) throws Exception {
        long m1 = watermark(Source.M1);
        long h1 = watermark(Source.H1);
        long d1 = watermark(Source.D1);
        assertThat(m1).isGreaterThan(Long.MIN_VALUE);
        try (Connection c = TestDatabase.connect(url)) {
            assertSame(rows(c, rollup("samples_1m", m1)), rows(c, recompute("1 minute", m1)), "1m");
            assertSame(rows(c, rollup("samples_1h", h1)), rows(c, recompute("1 hour", h1)), "1h");
            assertSame(rows(c, rollup("samples_1d", d1)), rows(c, recompute("1 day", d1)), "1d");
        }
    }

    /** The rollup's rows before {@code to}. */
    private static String rollup(String table, long to) {
        return "SELECT series_id, bucket, count, sum, min, max, sum_sq, first, last FROM " + table
                + " WHERE bucket < to_timestamp(" + to / 1e6 + ")";
    }

    /** The same aggregates from every raw sample before {@code to}, in buckets of {@code width}. */
    private static String recompute(String width, long to) {
        return "SELECT series_id, date_bin('" + width + "', time, TIMESTAMPTZ '1970-01-01 00:00:00+00'), count(*), sum(value),"
                + " min(value), max(value), sum(value * value), (array_agg(value ORDER BY time))[1],"
                + " (array_agg(value ORDER BY time DESC))[1] FROM samples WHERE time < to_timestamp(" + to / 1e6 + ")"
                + " GROUP BY 1, 2";
    }

    private static Map<String, double[]> rows(Connection c, String sql) throws Exception {
        Map<String, double[]> out = new TreeMap<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                double[] v = new double[7];
                for (int i = 0; i < 7; i++) {
                    v[i] = rs.getDouble(3 + i);
                }
                out.put(rs.getInt(1) + "@" + rs.getTimestamp(2).toInstant(), v);
            }
        }
        return out;
    }

    private static void assertSame(Map<String, double[]> rolled, Map<String, double[]> raw, String level) {
        assertThat(rolled.keySet()).as(level + " buckets").containsExactlyElementsOf(raw.keySet());
        raw.forEach((k, want) -> {
            double[] got = rolled.get(k);
            for (int i = 0; i < want.length; i++) {
                // Sums may be added up in another order: equal to the last few bits.
                assertThat(got[i]).as(level + " " + k + " column " + i)
                        .isCloseTo(want[i], org.assertj.core.data.Offset.offset(1e-9 * Math.max(1, Math.abs(want[i]))));
            }
        });
    }

    @ParameterizedTest(name = "write_ack = journal: {0}")
    @ValueSource(booleans = {false, true})
    void liveWritesLateSamplesAndARestartRollUpAsAFullRecomputeDoes(boolean viaJournal) throws Exception {
        journal = viaJournal;
        DatabaseUrl url = fresh("rollhead_live", 64L << 20);
        long now = Instant.now().toEpochMilli() * 1000;
        long minute = Math.floorDiv(now, MINUTE) * MINUTE;
        write(minute - 20 * MINUTE, 2_000_000, 600, 6);           // the last 20 minutes, live
        write(minute - 3 * HOUR + 7 * MINUTE, 5_000_000, 30, 6);   // late: hours back
        write(minute - DAY - 5 * MINUTE, 10_000_000, 60, 3);       // and a day back, across an hour
        refresh(Instant.now());
        assertRollupsAreAFullRecompute(url);
        assertThat(metrics.value("sluice_rollup_head_rows_total")).isPositive();

        // More samples into minutes already rolled up (late by a few minutes), then the next run.
        write(minute - 6 * MINUTE + 500_000, 3_000_000, 100, 6);
        refresh(Instant.now());
        assertRollupsAreAFullRecompute(url);

        // A restart: the head starts empty and is loaded from the database; writes go on.
        storage.close();
        open(url, 64L << 20);
        write(Math.floorDiv(Instant.now().toEpochMilli() * 1000, MINUTE) * MINUTE - 4 * MINUTE + 250_000, 2_000_000,
                120, 6);
        refresh(Instant.now());
        assertRollupsAreAFullRecompute(url);
        assertThat(metrics.value("sluice_rollup_refresh_failures_total")).isZero();
    }

    @Test
    void aHeadOverItsBoundLeavesTheRestToRawSamples() throws Exception {
        // 64 KiB: 4,096 samples and 1,024 minute cells; 300 series over 12 minutes need far more of both.
        DatabaseUrl url = fresh("rollhead_trim", 64L << 10);
        long minute = Math.floorDiv(Instant.now().toEpochMilli() * 1000, MINUTE) * MINUTE;
        write(minute - 12 * MINUTE, 10_000_000, 72, 300);
        refresh(Instant.now());
        Head head = storage.head();
        assertThat(head.pressureTrims()).isPositive();
        assertThat(head.minuteCellTrims()).isPositive();
        assertRollupsAreAFullRecompute(url);
        write(minute - 2 * MINUTE + 300_000, 10_000_000, 6, 300);
        refresh(Instant.now().plusSeconds(60));
        assertRollupsAreAFullRecompute(url);
    }

    @Test
    void aSampleThatReachesTheHeadAfterItsMinuteWasLetGoIsReadFromTheDatabase() throws Exception {
        DatabaseUrl url = fresh("rollhead_missed", 64L << 20);
        long minute = Math.floorDiv(Instant.now().toEpochMilli() * 1000, MINUTE) * MINUTE;
        write(minute - 9 * MINUTE, 1_000_000, 60, 2);
        refresh(Instant.now());
        Head head = storage.head();
        long late = minute - 9 * MINUTE + 30_500_000;
        assertThat(head.minutesFrom()).isGreaterThan(late); // that minute's aggregates are let go
        // A writer whose commit reached the head only now (a stall between the two): committed...
        int id;
        try (Connection c = TestDatabase.connect(url); Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT id FROM series WHERE tags->>'host' = 'h1'")) {
                rs.next();
                id = rs.getInt(1);
            }
            st.execute("INSERT INTO samples VALUES (to_timestamp(" + late / 1e6 + "), " + id + ", 12345.5)");
        }
        // ...then appended, and its minute not in the invalidation log (its writer's clock found it recent).
        head.append(new int[] {id}, new long[] {late}, new double[] {12345.5}, 0, 1, Long.MIN_VALUE);
        refresh(Instant.now());
        assertRollupsAreAFullRecompute(url);
        assertThat(metrics.value("sluice_rollup_head_missed_minutes_total")).isEqualTo(1);
    }

    @Test
    void eachDayOfLateSamplesAndEachLevelCommitOnItsOwn() throws Exception {
        DatabaseUrl url = fresh("rollhead_txn", 64L << 20);
        long minute = Math.floorDiv(Instant.now().toEpochMilli() * 1000, MINUTE) * MINUTE;
        write(minute - 5 * MINUTE, 5_000_000, 60, 2);
        // Late samples of three past days, logged by their writers.
        long noon = Math.floorDiv(minute, DAY) * DAY + 12 * HOUR;
        for (int d = 3; d >= 1; d--) {
            write(noon - d * DAY, 60_000_000, 10, 2);
        }
        refresh(Instant.now());
        assertRollupsAreAFullRecompute(url);
        // The sealer's concurrent index builds wait for every open transaction: none spans them all.
        assertThat(TestDatabase.count(url, "SELECT count(DISTINCT xmin::text) FROM samples_1m WHERE bucket < to_timestamp("
                + (minute - HOUR) / 1e6 + ")")).isEqualTo(3);
        assertThat(TestDatabase.count(url, "SELECT count(DISTINCT xmin::text) FROM rollup_state")).isEqualTo(3);
    }
}
