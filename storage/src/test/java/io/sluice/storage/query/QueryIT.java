package io.sluice.storage.query;

import io.sluice.storage.Storage;
import io.sluice.storage.TestDatabase;
import io.sluice.storage.db.DatabaseUrl;
import io.sluice.storage.metrics.Metrics;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Rollups and queries against a real PostgreSQL, with the refresh clock driven by the test. */
class QueryIT {
    static DatabaseUrl url;
    static Storage storage;
    static QueryService queries;
    // Two full hours of one sample a second for host=a, ending at T0; host=b has value 1000 always.
    static final Instant T0 = Instant.now().truncatedTo(ChronoUnit.HOURS);
    static final long START = (T0.getEpochSecond() - 7200) * 1_000_000L;

    @BeforeAll
    static void load() throws Exception {
        url = TestDatabase.fresh("query");
        storage = Storage.open(TestDatabase.storageConfig(url, 1, 100), new Metrics());
        queries = new QueryService(storage.dataSource(), false);
        try (Connection c = TestDatabase.connect(url); Statement st = c.createStatement()) {
            st.execute("INSERT INTO series (id, metric, tags) VALUES (1, 'q_cpu', '{\"host\":\"a\"}'), (2, 'q_cpu', '{\"host\":\"b\"}')");
            // value = seconds since START, so every aggregate has a closed form.
            st.execute("INSERT INTO samples SELECT to_timestamp(" + START / 1_000_000L + " + g), 1, g FROM generate_series(0, 7199) g");
            st.execute("INSERT INTO samples SELECT to_timestamp(" + START / 1_000_000L + " + g), 2, 1000 FROM generate_series(0, 7199) g");
        }
    }

    @AfterAll
    static void close() {
        storage.close();
    }

    @Test
    void rollupsAgreeWithRawAndIncludeTheNewestDataInRealTime() throws Exception {
        try (Connection c = storage.dataSource().getConnection()) {
            // Refresh as if it were 90 minutes into the two hours: 1m complete to then, 1h to the first hour.
            Map<Source, Instant> marks = new Rollups(30L * 86_400_000_000L).refresh(c, T0.minusSeconds(1800));
            assertThat(marks.get(Source.M1)).isEqualTo(T0.minusSeconds(1860));
            assertThat(marks.get(Source.H1)).isEqualTo(T0.minusSeconds(3600));
        }
        try (Connection c = TestDatabase.connect(url); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count, sum, min, max, first, last, sum_sq FROM samples_1m"
                     + " WHERE series_id = 1 ORDER BY bucket LIMIT 1")) {
            rs.next();
            assertThat(rs.getLong(1)).isEqualTo(60);
            assertThat(rs.getDouble(2)).isEqualTo(1770); // 0 + 1 + ... + 59
            assertThat(rs.getDouble(3)).isEqualTo(0);
            assertThat(rs.getDouble(4)).isEqualTo(59);
            assertThat(rs.getDouble(5)).isEqualTo(0);
            assertThat(rs.getDouble(6)).isEqualTo(59);
            assertThat(rs.getDouble(7)).isEqualTo(70210); // sum of squares 0..59
        }
        long end = T0.getEpochSecond() * 1_000_000L;
        // Hourly averages over the two hours: from raw, and from the 1m rollup plus its real-time tail.
        QueryResult raw = queries.query(SeriesScope.ALL, new Query("q_cpu", Map.of("host", "a"), START, end, 3_600_000_000L, 0,
                Aggregation.AVG, Source.RAW));
        QueryResult m1 = queries.query(SeriesScope.ALL, new Query("q_cpu", Map.of("host", "a"), START, end, 3_600_000_000L, 0,
                Aggregation.AVG, Source.M1));
        QueryResult h1 = queries.query(SeriesScope.ALL, new Query("q_cpu", Map.of("host", "a"), START, end, 3_600_000_000L, 0,
                Aggregation.AVG, Source.H1));
        for (QueryResult r : List.of(raw, m1, h1)) {
            Points p = r.series().get(0).points();
            assertThat(p.size()).as(r.source().label).isEqualTo(2);
            assertThat(p.value(0)).isCloseTo(1799.5, within(1e-9));
            assertThat(p.value(1)).isCloseTo(5399.5, within(1e-9));
        }
        for (Aggregation a : Aggregation.values()) {
            QueryResult x = queries.query(SeriesScope.ALL, new Query("q_cpu", Map.of("host", "a"), START, end, 3_600_000_000L, 0, a, Source.RAW));
            QueryResult y = queries.query(SeriesScope.ALL, new Query("q_cpu", Map.of("host", "a"), START, end, 3_600_000_000L, 0, a, Source.M1));
            assertThat(y.series().get(0).points().value(1)).as(a.name())
                    .isEqualTo(x.series().get(0).points().value(1));
        }
    }

    @Test
    void lateSamplesWithinTheLatenessWindowAreFoldedIntoTheNextRefresh() throws Exception {
        try (Connection c = storage.dataSource().getConnection()) {
            new Rollups(30L * 86_400_000_000L).refresh(c, T0.plusSeconds(60));
        }
        long late = (T0.getEpochSecond() - 90) * 1_000_000L; // inside an already rolled-up minute
        try (Connection c = TestDatabase.connect(url); Statement st = c.createStatement()) {
            st.execute("INSERT INTO samples VALUES (to_timestamp(" + late / 1_000_000L + "), 2, 5000)");
        }
        try (Connection c = storage.dataSource().getConnection()) {
            new Rollups(30L * 86_400_000_000L).refresh(c, T0.plusSeconds(120));
        }
        assertThat(TestDatabase.count(url, "SELECT max(max)::bigint FROM samples_1m WHERE series_id = 2")).isEqualTo(5000);
        try (Connection c = TestDatabase.connect(url); Statement st = c.createStatement()) {
            st.execute("DELETE FROM samples WHERE series_id = 2 AND value = 5000");
        }
    }

    @Test
    void retentionDropsOneMinuteRollupsPastTheirAgeAndKeepsTheRest() throws Exception {
        try (Connection c = storage.dataSource().getConnection()) {
            new Rollups(30L * 86_400_000_000L).refresh(c, T0.plusSeconds(60));
            long before = TestDatabase.count(url, "SELECT count(*) FROM samples_1m");
            long cutoff = START + 3_600_000_000L; // the first of the two hours goes
            int dropped = Rollups.dropOlderThan(c, Source.M1, cutoff);
            assertThat(dropped).isEqualTo(120); // 60 minutes of two series
            assertThat(TestDatabase.count(url, "SELECT count(*) FROM samples_1m")).isEqualTo(before - 120);
            assertThat(TestDatabase.count(url, "SELECT count(*) FROM samples_1m WHERE bucket < to_timestamp("
                    + cutoff / 1_000_000L + ")")).isZero();
            // The hourly rollup is kept whole.
            assertThat(TestDatabase.count(url, "SELECT count(*) FROM samples_1h WHERE series_id = 1")).isEqualTo(2);
            // Leave the rollups whole for the other tests: forget the watermarks and rebuild.
            try (Statement st = c.createStatement()) {
                st.execute("DELETE FROM rollup_state");
            }
            new Rollups(30L * 86_400_000_000L).refresh(c, T0.plusSeconds(60));
            assertThat(TestDatabase.count(url, "SELECT count(*) FROM samples_1m")).isEqualTo(before);
        }
    }

    @Test
    void lttbGivesTheAskedNumberOfPointsWithTheEnds() throws Exception {
        long end = T0.getEpochSecond() * 1_000_000L;
        QueryResult r = queries.query(SeriesScope.ALL, new Query("q_cpu", Map.of("host", "a"), START, end, 0, 100, Aggregation.AVG, Source.RAW));
        Points p = r.series().get(0).points();
        assertThat(p.size()).isEqualTo(100);
        assertThat(p.time(0)).isEqualTo(START);
        assertThat(p.value(99)).isEqualTo(7199);
    }

    @Test
    void sourceIsChosenByRange() {
        assertThat(Source.forRange(java.time.Duration.ofMinutes(15))).isEqualTo(Source.RAW);
        // One hour itself is raw (the dashboard document's start=1h example answers from raw).
        assertThat(Source.forRange(java.time.Duration.ofHours(1))).isEqualTo(Source.RAW);
        assertThat(Source.forRange(java.time.Duration.ofHours(1).plusNanos(1000))).isEqualTo(Source.M1);
        assertThat(Source.forRange(java.time.Duration.ofHours(6))).isEqualTo(Source.M1);
        assertThat(Source.forRange(java.time.Duration.ofDays(7))).isEqualTo(Source.H1);
        assertThat(Source.forRange(java.time.Duration.ofDays(30))).isEqualTo(Source.D1);
    }

    @Test
    void seriesNamesTagValuesAndLatest() throws Exception {
        assertThat(queries.series(SeriesScope.ALL, "q_cpu", Map.of(), 10)).hasSize(2);
        assertThat(queries.series(SeriesScope.ALL, "q_cpu", Map.of("host", "b"), 10)).extracting(SeriesRef::id).containsExactly(2);
        assertThat(queries.names(SeriesScope.ALL, "q_", 10)).contains("q_cpu");
        assertThat(queries.tagValues(SeriesScope.ALL, "host", "q_cpu", 10)).containsExactly("a", "b");
        List<QueryResult.Entry> latest = queries.latest(SeriesScope.ALL, "q_cpu", Map.of("host", "a"));
        assertThat(latest).hasSize(1);
        assertThat(latest.get(0).points().value(0)).isEqualTo(7199);
    }
    @Test
    void timesReadTheSameInBinaryAndInText() throws Exception {
        // Binary timestamps count microseconds from 2000: check both sides of it and sub-second digits.
        String[] times = {"2026-11-19 10:00:00.123456+00", "1999-12-31 23:59:59.999999+00", "1970-01-01 00:00:00.000001+00",
                "2000-01-01 00:00:00+00"};
        for (boolean binary : new boolean[] {true, false}) {
            java.util.Properties props = new java.util.Properties();
            props.setProperty("user", url.user());
            if (url.password() != null) {
                props.setProperty("password", url.password());
            }
            props.setProperty("binaryTransfer", String.valueOf(binary));
            try (Connection c = java.sql.DriverManager.getConnection(url.jdbcUrl(), props)) {
                for (String t : times) {
                    Instant i = Instant.parse(t.replace(" ", "T").replace("+00", "Z"));
                    long expected = i.getEpochSecond() * 1_000_000L + i.getNano() / 1000;
                    try (java.sql.PreparedStatement ps = c.prepareStatement("SELECT ?::timestamptz")) {
                        ps.unwrap(org.postgresql.PGStatement.class).setPrepareThreshold(-1);
                        ps.setString(1, t);
                        try (ResultSet rs = ps.executeQuery()) {
                            rs.next();
                            assertThat(rs.getBytes(1).length == 8).as("sent in binary").isEqualTo(binary);
                            assertThat(Rollups.micros(rs, 1)).as(t + (binary ? " in binary" : " in text")).isEqualTo(expected);
                        }
                    }
                }
            }
        }
    }
}
