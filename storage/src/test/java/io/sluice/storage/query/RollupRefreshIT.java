package io.sluice.storage.query;

import io.sluice.storage.Storage;
import io.sluice.storage.TestDatabase;
import io.sluice.storage.db.DatabaseUrl;
import io.sluice.storage.db.Partitions;
import io.sluice.storage.metrics.Metrics;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The plain-PostgreSQL rollup refresh when some data cannot be rolled up. */
class RollupRefreshIT {
    private static final long MINUTE = 60_000_000L;
    private static final long HOUR = 3_600_000_000L;

    private Storage storage;
    private final Metrics metrics = new Metrics();

    @AfterEach
    void close() {
        if (storage != null) {
            storage.close();
        }
    }

    private DatabaseUrl open(String name) throws Exception {
        DatabaseUrl url = TestDatabase.fresh(name);
        storage = Storage.open(TestDatabase.storageConfig(url, 1, 100), metrics);
        return url;
    }

    @Test
    void aBucketThatOverflowsIsSkippedAloneAndTheWatermarkMovesOn() throws Exception {
        DatabaseUrl url = open("rollup_overflow");
        long now = Instant.now().toEpochMilli() * 1000;
        long start = Rollups.floor(now, HOUR) - 3 * HOUR;
        long bad = start + 17 * MINUTE;
        long tiny = start + 42 * MINUTE;
        try (Connection c = TestDatabase.connect(url); Statement st = c.createStatement()) {
            storage.partitions().ensure(c, java.util.List.of(Partitions.dayOf(start), Partitions.dayOf(now)));
            st.execute("INSERT INTO series (id, metric) VALUES (1, 'ok_a'), (2, 'huge'), (3, 'ok_b')");
            // Two hours, a sample every 10 s per series; written before values were checked at
            // ingest, or straight into the table from psql.
            st.execute("INSERT INTO samples SELECT to_timestamp(" + start / 1_000_000L + " + g * 10), s, g"
                    + " FROM generate_series(0, 719) g, generate_series(1, 3) s");
            st.execute("INSERT INTO samples VALUES (to_timestamp(" + (bad / 1_000_000L + 5) + "), 2, 1e200),"
                    + " (to_timestamp(" + (tiny / 1_000_000L + 5) + "), 2, 1e-200)");
        }
        Instant at = Instant.ofEpochSecond((start + 2 * HOUR) / 1_000_000L + 70);
        Map<Source, Instant> marks;
        try (Connection c = storage.dataSource().getConnection()) {
            marks = storage.rollups().refresh(c, at);
        }
        // The refresh went through: 1m up to the last whole minute, 1h up to the last whole hour.
        assertThat(marks.get(Source.M1)).isEqualTo(Instant.ofEpochSecond((start + 2 * HOUR) / 1_000_000L + 60));
        assertThat(marks.get(Source.H1)).isEqualTo(Instant.ofEpochSecond((start + 2 * HOUR) / 1_000_000L));
        // Every minute of the other series, and every minute of the huge one but the two it spoiled.
        assertThat(TestDatabase.count(url, "SELECT count(*) FROM samples_1m WHERE series_id IN (1, 3)")).isEqualTo(240);
        assertThat(TestDatabase.count(url, "SELECT count(*) FROM samples_1m WHERE series_id = 2")).isEqualTo(118);
        assertThat(TestDatabase.count(url, "SELECT count(*) FROM samples_1m WHERE series_id = 2 AND bucket IN"
                + " (to_timestamp(" + bad / 1_000_000L + "), to_timestamp(" + tiny / 1_000_000L + "))")).isZero();
        assertThat(TestDatabase.count(url, "SELECT count(*) FROM samples_1h")).isEqualTo(6);
        try (Connection c = TestDatabase.connect(url); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT sum, count FROM samples_1m WHERE series_id = 1 AND bucket = to_timestamp("
                     + bad / 1_000_000L + ")")) {
            rs.next();
            assertThat(rs.getLong(2)).isEqualTo(6);
            assertThat(rs.getDouble(1)).isEqualTo(102 + 103 + 104 + 105 + 106 + 107);
        }
        assertThat(metrics.value("sluice_rollup_buckets_skipped_total", "level", "1m")).isEqualTo(2);

        // The next refreshes read the late minutes again: the same buckets are not counted twice.
        try (Connection c = storage.dataSource().getConnection()) {
            storage.rollups().refresh(c, at.plusSeconds(60));
            storage.rollups().refresh(c, at.plusSeconds(120));
        }
        assertThat(metrics.value("sluice_rollup_buckets_skipped_total", "level", "1m")).isEqualTo(2);
        assertThat(metrics.value("sluice_rollup_refreshes_total")).isEqualTo(3);
        assertThat(metrics.value("sluice_rollup_refresh_failures_total")).isZero();
    }

    @Test
    void aRefreshIsNotHeldBackByPartitionCompaction() throws Exception {
        DatabaseUrl url = open("rollup_compaction");
        try (Connection other = TestDatabase.connect(url); Statement st = other.createStatement()) {
            // Another node rebuilding a day's index holds the compaction lock for minutes.
            st.execute("SELECT pg_advisory_lock(" + Partitions.COMPACT_LOCK_KEY + ")");
            try (Connection c = storage.dataSource().getConnection()) {
                assertThat(storage.rollups().refresh(c, Instant.now())).containsKeys(Source.M1, Source.H1, Source.D1);
            }
        }
    }

    @Test
    void exactlyTheRecordedMinutesAreRecomputedAndTheHoursAndDaysHoldingThem() throws Exception {
        DatabaseUrl url = open("rollup_exact");
        long now = Instant.now().toEpochMilli() * 1000;
        long day = Rollups.floor(now, 86_400_000_000L) - 2 * 86_400_000_000L;
        try (Connection c = storage.dataSource().getConnection()) {
            storage.rollups().refresh(c, Instant.now()); // a server that has been running
        }
        try (Connection c = TestDatabase.connect(url); Statement st = c.createStatement()) {
            storage.partitions().ensure(c, java.util.List.of(Partitions.dayOf(day)));
            st.execute("INSERT INTO series (id, metric) VALUES (1, 'late')");
            // Samples in minutes 10, 11, 30 and 50 of the day's first hour, written late...
            for (int minute : new int[] {10, 11, 30, 50}) {
                st.execute("INSERT INTO samples SELECT to_timestamp(" + (day + minute * MINUTE) / 1_000_000L + " + g), 1, "
                        + minute + " FROM generate_series(0, 59, 10) g");
            }
            // ...but only minutes 10-11 and 50 recorded: two ranges of one day, one statement.
            st.execute("INSERT INTO rollup_invalidations VALUES (to_timestamp(" + (day + 10 * MINUTE) / 1_000_000L
                    + "), to_timestamp(" + (day + 12 * MINUTE) / 1_000_000L + ")), (to_timestamp("
                    + (day + 50 * MINUTE) / 1_000_000L + "), to_timestamp(" + (day + 51 * MINUTE) / 1_000_000L + "))");
        }
        try (Connection c = storage.dataSource().getConnection()) {
            storage.rollups().refresh(c, Instant.now());
        }
        assertThat(TestDatabase.count(url, "SELECT count(*) FROM rollup_invalidations")).isZero();
        try (Connection c = TestDatabase.connect(url); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT string_agg(extract(minute FROM bucket)::text, ',' ORDER BY bucket)"
                     + " FROM samples_1m WHERE series_id = 1")) {
            rs.next();
            assertThat(rs.getString(1)).isEqualTo("10,11,50"); // minute 30 was not recorded
        }
        // The hour and the day are recomputed from the 1m rows: 18 samples, minutes 10, 11 and 50.
        assertThat(TestDatabase.count(url, "SELECT count FROM samples_1h WHERE series_id = 1")).isEqualTo(18);
        assertThat(TestDatabase.count(url, "SELECT sum::int8 FROM samples_1d WHERE series_id = 1")).isEqualTo(6 * (10 + 11 + 50));
    }
}
