package io.sluice.storage;

import io.sluice.codec.SampleSink;
import io.sluice.codec.SeriesKey;
import io.sluice.storage.db.DatabaseUrl;
import io.sluice.storage.metrics.Metrics;
import io.sluice.storage.ring.SampleBatch;
import io.sluice.storage.ring.SampleEvent;
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
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hot blocks on plain PostgreSQL (README, "Hot tier and head"): a request's samples of one series
 * and one piece are one row of {@code samples_blocks}, in time order; {@code samples},
 * {@code samples_between} and the sealed rows give back exactly what was written.
 */
class BlocksIT {
    private static final long MINUTE = 60_000_000L;

    private Storage storage;

    @AfterEach
    void close() {
        if (storage != null) {
            storage.close();
        }
    }

    private DatabaseUrl open(String name) throws Exception {
        DatabaseUrl url = TestDatabase.fresh(name);
        storage = Storage.open(TestDatabase.hotTierConfig(url, 2, 500,
                new HotTierConfig(Duration.ofMinutes(1), Duration.ZERO, 64L << 20)), new Metrics());
        storage.start();
        return url;
    }

    /** Every sample of {@code relation} as "series|micros|value|step", sorted. */
    private static List<String> all(DatabaseUrl url, String relation) throws Exception {
        List<String> out = new ArrayList<>();
        try (Connection c = TestDatabase.connect(url); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT s.series_id, (extract(epoch FROM s.time) * 1000000)::int8, s.value,"
                     + " s.step FROM " + relation + " s ORDER BY 1, 2, 3")) {
            while (rs.next()) {
                long step = rs.getLong(4);
                String shown = rs.wasNull() ? "-" : Long.toString(step);
                out.add(rs.getInt(1) + "|" + rs.getLong(2) + "|" + rs.getDouble(3) + "|" + shown);
            }
        }
        return out;
    }

    @Test
    void aRequestIsARowPerSeriesAndPieceInTimeOrderAndReadsBackExactly() throws Exception {
        DatabaseUrl url = open("blocks_roundtrip");
        long now = Instant.now().toEpochMilli() * 1000;
        long t0 = Math.floorDiv(now, MINUTE) * MINUTE - 3 * MINUTE;
        // 3 series, 600 samples each over two one-minute pieces, shuffled; one series with steps
        // on some samples, one with every step, one with none.
        List<long[]> samples = new ArrayList<>();
        for (int s = 0; s < 3; s++) {
            for (int i = 0; i < 600; i++) {
                samples.add(new long[] {s, t0 + i * 200_000L + s});
            }
        }
        java.util.Collections.shuffle(samples, new Random(3));
        SampleBatch batch = new SampleBatch(samples.size());
        List<String> expected = new ArrayList<>();
        for (long[] x : samples) {
            int s = (int) x[0];
            SeriesKey key = SeriesKey.of("blocks", Map.of("s", "s" + s));
            int id = storage.registry().idOf(key);
            long step = s == 0 ? SampleSink.NO_STEP : s == 1 ? 1000 + x[1] % 7 : (x[1] % 3 == 0 ? 5 : SampleSink.NO_STEP);
            double value = x[1] % 1000 / 8.0;
            batch.add(id < 0 ? SampleEvent.UNRESOLVED : id, id < 0 ? storage.registry().pending(key) : null, x[1], value, step);
        }
        assertThat(Writes.request(storage, batch).get(30, TimeUnit.SECONDS)).isEqualTo("ok");
        for (long[] x : samples) {
            int s = (int) x[0];
            int id = storage.registry().idOf(SeriesKey.of("blocks", Map.of("s", "s" + s)));
            long step = s == 0 ? SampleSink.NO_STEP : s == 1 ? 1000 + x[1] % 7 : (x[1] % 3 == 0 ? 5 : SampleSink.NO_STEP);
            expected.add(id + "|" + x[1] + "|" + x[1] % 1000 / 8.0 + "|" + (step == SampleSink.NO_STEP ? "-" : step));
        }
        List<String> sortedExpected = new ArrayList<>(expected);
        sortedExpected.sort(java.util.Comparator.comparing((String e) -> Integer.parseInt(e.split("\\|")[0]))
                .thenComparing(e -> Long.parseLong(e.split("\\|")[1])));

        // A row per series and piece: 3 x 2, each in time order with its bounds, steps only where some are.
        assertThat(TestDatabase.count(url, "SELECT count(*) FROM samples_blocks")).isEqualTo(6);
        assertThat(TestDatabase.count(url, "SELECT count(*) FROM samples_blocks WHERE times[1] <> time_min"
                + " OR times[cardinality(times)] <> time_max OR cardinality(vals) <> cardinality(times)"
                + " OR time_min / " + MINUTE + " <> time_max / " + MINUTE)).isZero();
        // The times as written: microseconds since the Unix epoch (schema step 014), not since 2000.
        assertThat(TestDatabase.count(url, "SELECT min(time_min) FROM samples_blocks")).isEqualTo(t0);
        assertThat(TestDatabase.count(url, "SELECT count(*) FROM samples_blocks b WHERE EXISTS (SELECT 1 FROM"
                + " unnest(b.times) WITH ORDINALITY t(x, n) WHERE n > 1 AND x < b.times[n - 1])")).isZero();
        assertThat(TestDatabase.count(url, "SELECT count(*) FROM samples_blocks WHERE steps IS NULL")).isEqualTo(2);
        assertThat(all(url, "samples")).hasSize(1_800).isEqualTo(sortedExpected);
        assertThat(all(url, "samples_between('" + Instant.ofEpochSecond(t0 / 1_000_000L) + "', 'infinity')"))
                .isEqualTo(sortedExpected);
        assertThat(TestDatabase.count(url, "SELECT count(*) FROM samples_between('" + Instant.ofEpochSecond(t0 / 1_000_000L)
                + "', '" + Instant.ofEpochSecond(t0 / 1_000_000L + 60) + "')")).isEqualTo(900);
        assertThat(TestDatabase.count(url, "SELECT count(*) FROM metrics WHERE metric = 'blocks'")).isEqualTo(1_800);

        // Sealed: the same samples, as rows, and no block left.
        assertThat(storage.sealDue()).isGreaterThanOrEqualTo(2); // more if a minute ends meanwhile (its piece is due)
        assertThat(TestDatabase.count(url, "SELECT count(*) FROM samples_blocks")).isZero();
        assertThat(all(url, "samples_rows")).isEqualTo(sortedExpected);
        assertThat(all(url, "samples")).isEqualTo(sortedExpected);
    }

    @Test
    void deleteAndUpdateThroughTheViewTouchOneSampleWhereverItIs() throws Exception {
        DatabaseUrl url = open("blocks_dml");
        long now = Instant.now().toEpochMilli() * 1000;
        SeriesKey key = SeriesKey.of("dml", Map.of());
        SampleBatch batch = new SampleBatch(10);
        for (int i = 0; i < 10; i++) {
            Writes.add(storage, batch, key, now - 10_000_000L + i, i);
        }
        assertThat(Writes.request(storage, batch).get(30, TimeUnit.SECONDS)).isEqualTo("ok");
        assertThat(TestDatabase.count(url, "SELECT count(*) FROM samples_blocks")).isEqualTo(1);
        try (Connection c = TestDatabase.connect(url); Statement st = c.createStatement()) {
            assertThat(st.executeUpdate("DELETE FROM samples WHERE value = 3")).isEqualTo(1);
            assertThat(st.executeUpdate("UPDATE samples SET value = 40 WHERE value = 4")).isEqualTo(1);
            assertThat(st.executeUpdate("DELETE FROM samples WHERE value = 99")).isZero();
        }
        assertThat(TestDatabase.count(url, "SELECT count(*) FROM samples")).isEqualTo(9);
        assertThat(TestDatabase.count(url, "SELECT sum(value)::int8 FROM samples")).isEqualTo(45 - 3 - 4 + 40);
        assertThat(TestDatabase.count(url, "SELECT count(DISTINCT time) FROM samples")).isEqualTo(9);
    }

    @Test
    void aBlockMadeBySqlReachingIntoTheNextPieceIsStillSealedAndOverlappingBlocksMergeInOrder() throws Exception {
        DatabaseUrl url = open("blocks_by_sql");
        long now = Instant.now().toEpochMilli() * 1000;
        long t0 = Math.floorDiv(now, MINUTE) * MINUTE - 4 * MINUTE;
        // A block's times: microseconds since the Unix epoch (schema step 014), seconds after t0.
        java.util.function.IntFunction<String> a = sec -> Long.toString(t0 + sec * 1_000_000L);
        try (Connection c = TestDatabase.connect(url); Statement st = c.createStatement()) {
            st.execute("INSERT INTO series (id, metric) VALUES (7000, 'by_sql')");
            // Writers split blocks by piece; SQL need not: this one starts in t0's minute and ends in the next.
            st.execute("INSERT INTO samples_blocks VALUES (7000, " + a.apply(50) + ", " + a.apply(70) + ","
                    + " ARRAY[" + a.apply(50) + ", " + a.apply(70) + "], ARRAY[1, 2], NULL)");
            // Two blocks of one series that overlap in time, and one of them out of order.
            st.execute("INSERT INTO samples_blocks VALUES (7000, " + a.apply(10) + ", " + a.apply(30) + ","
                    + " ARRAY[" + a.apply(10) + ", " + a.apply(30) + ", " + a.apply(20) + "],"
                    + " ARRAY[3, 5, 4], ARRAY[1, NULL, 2])");
            st.execute("INSERT INTO samples_blocks VALUES (7000, " + a.apply(15) + ", " + a.apply(25) + ","
                    + " ARRAY[" + a.apply(15) + ", " + a.apply(25) + "], ARRAY[3.5, 4.5], NULL)");
        }
        List<String> before = all(url, "samples");
        assertThat(before).hasSize(7);
        assertThat(storage.sealDue()).isGreaterThanOrEqualTo(1);
        assertThat(TestDatabase.count(url, "SELECT count(*) FROM samples_blocks")).isZero();
        assertThat(all(url, "samples_rows")).isEqualTo(before);
        assertThat(all(url, "samples")).isEqualTo(before);
        // The overlapping blocks' samples lie in time order in the piece.
        List<String> values = new ArrayList<>();
        try (Connection c = TestDatabase.connect(url); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT value FROM " + io.sluice.storage.db.Pieces.name(t0)
                     + " WHERE series_id = 7000 ORDER BY ctid")) {
            while (rs.next()) {
                values.add(Double.toString(rs.getDouble(1)));
            }
        }
        assertThat(values).containsExactly("3.0", "3.5", "4.0", "4.5", "5.0", "1.0");
    }

    @Test
    void aSealerRunWithNothingDueSummarisesTheBlocksNewPageRangesSoBrinScansSkipThem() throws Exception {
        DatabaseUrl url = open("blocks_brin_new");
        // Blocks in the future: never due while the test runs; ~2 MB, more than one 128-page range.
        long t0 = (Instant.now().toEpochMilli() + 3_600_000L) * 1000;
        try (Connection c = TestDatabase.connect(url); Statement st = c.createStatement()) {
            st.execute("INSERT INTO series (id, metric) VALUES (7001, 'brin_new')");
            st.execute("INSERT INTO samples_blocks SELECT 7001, t, t, ARRAY[t], ARRAY[1.0::float8], NULL"
                    + " FROM (SELECT " + t0 + " + g AS t FROM generate_series(1, 20000) g) x");
        }
        assertThat(storage.sealDue()).isZero();
        // Nothing left for PostgreSQL to summarise: the sealer's run did it.
        assertThat(TestDatabase.count(url, "SELECT brin_summarize_new_values('samples_blocks_time_brin')")).isZero();
        assertThat(TestDatabase.count(url, "SELECT count(*) FROM samples_blocks")).isEqualTo(20_000);
    }
}
