package io.sluice.storage.query;

import io.sluice.storage.Storage;
import io.sluice.storage.TestDatabase;
import io.sluice.storage.db.DatabaseUrl;
import io.sluice.storage.metrics.Metrics;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Raw answers come from one statement that finds the series and packs their points. */
class RawQueryIT {
    static DatabaseUrl url;
    static Storage storage;
    static QueryService queries;
    static final long HOUR = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(1, ChronoUnit.HOURS).getEpochSecond() * 1_000_000L;

    @BeforeAll
    static void load() throws Exception {
        url = TestDatabase.fresh("raw");
        storage = Storage.open(TestDatabase.storageConfig(url, 1, 100), new Metrics());
        queries = new QueryService(storage.dataSource(), false);
        try (Connection c = TestDatabase.connect(url); Statement st = c.createStatement()) {
            st.execute("INSERT INTO series (id, metric, tags) VALUES (20, 'r_m', '{\"host\":\"x\",\"n\":5,\"dc\":\"eu\"}'),"
                    + " (10, 'r_m', '{}'), (30, 'r_m', '{\"host\":\"idle\"}'), (40, 'r_other', '{\"host\":\"x\"}')");
            // Out of id order on purpose, with microseconds, and one sample just outside each end.
            st.execute("INSERT INTO samples (time, series_id, value) SELECT to_timestamp(" + HOUR + " / 1e6) + g * interval '1.000001 second',"
                    + " s, s + g / 4.0 FROM generate_series(-1, 3600) g, (VALUES (20), (10), (40)) v(s)");
            st.execute("INSERT INTO series (id, metric, tags) SELECT 1000 + g, 'r_many', jsonb_build_object('i', g) FROM generate_series(1, 1001) g");
            st.execute("INSERT INTO samples (time, series_id, value) SELECT to_timestamp(" + HOUR + " / 1e6), 1000 + g, g FROM generate_series(1, 1001) g");
            // Two samples at one time (nothing makes (series, time) unique): each keeps its value.
            st.execute("INSERT INTO series (id, metric) VALUES (60, 'r_twice')");
            st.execute("INSERT INTO samples (time, series_id, value) SELECT to_timestamp(" + HOUR + " / 1e6) + (g / 2) * interval '1 second',"
                    + " 60, g FROM generate_series(0, 999) g");
        }
    }

    @AfterAll
    static void close() {
        storage.close();
    }

    private static QueryResult hour(QueryService qs, String metric, Map<String, String> tags) throws Exception {
        return qs.query(SeriesScope.ALL, new Query(metric, tags, HOUR, HOUR + 3_600_000_000L, 0, 0, Aggregation.AVG, null));
    }

    @Test
    void eachMatchingSeriesWithPointsInIdOrderWithItsTagsAndTimeOrderedPoints() throws Exception {
        QueryResult r = hour(queries, "r_m", Map.of());
        assertThat(r.source()).isEqualTo(Source.RAW);
        // Series 30 has no samples in range and is not listed; r_other is another metric.
        assertThat(r.series()).extracting(e -> e.series().id()).containsExactly(10, 20);
        assertThat(r.series().get(0).series().tags()).isEmpty();
        assertThat(r.series().get(1).series().tags()).containsExactly(Map.entry("dc", "eu"), Map.entry("host", "x"), Map.entry("n", "5"));
        assertThat(r.series().get(1).series().metric()).isEqualTo("r_m");
        for (QueryResult.Entry e : r.series()) {
            Points p = e.points();
            // g = 0 .. 3599 fall in [HOUR, HOUR + 1h): 3599 * 1.000001 s < 1 h, 3600 * 1.000001 s is past it.
            assertThat(p.size()).isEqualTo(3600);
            for (int g = 0; g < p.size(); g++) {
                assertThat(p.time(g)).isEqualTo(HOUR + g * 1_000_001L);
                assertThat(p.value(g)).isEqualTo(e.series().id() + g / 4.0);
            }
        }
        assertThat(hour(queries, "r_m", Map.of("host", "x")).series()).extracting(e -> e.series().id()).containsExactly(20);
        assertThat(hour(queries, "r_none", Map.of()).series()).isEmpty();
    }

    @Test
    void theSameAnswerWhenTheDriverReadsText() throws Exception {
        PGSimpleDataSource text = new PGSimpleDataSource();
        text.setURL(url.jdbcUrl());
        text.setUser(url.user());
        text.setBinaryTransfer(false);
        QueryResult a = hour(new QueryService(text, false), "r_m", Map.of("host", "x"));
        QueryResult b = hour(queries, "r_m", Map.of("host", "x"));
        assertThat(a.series()).hasSize(1);
        assertThat(a.series().get(0).series()).isEqualTo(b.series().get(0).series());
        Points pa = a.series().get(0).points();
        Points pb = b.series().get(0).points();
        assertThat(pa.size()).isEqualTo(pb.size());
        for (int i = 0; i < pa.size(); i++) {
            assertThat(pa.time(i)).isEqualTo(pb.time(i));
            assertThat(pa.value(i)).isEqualTo(pb.value(i));
        }
    }

    @Test
    void moreSeriesThanTheLimitIsRefusedNamingIt() {
        assertThatThrownBy(() -> hour(queries, "r_many", Map.of()))
                .isInstanceOf(QueryService.TooLarge.class)
                .hasMessageContaining("more than " + QueryService.MAX_SERIES + " series match");
    }

    @Test
    void moreRawSamplesThanTheLimitIsRefusedNamingIt() throws Exception {
        try (Connection c = TestDatabase.connect(url); Statement st = c.createStatement()) {
            st.execute("INSERT INTO series (id, metric) VALUES (50, 'r_big')");
            st.execute("INSERT INTO samples (time, series_id, value) SELECT to_timestamp(" + HOUR + " / 1e6) + g * interval '1 millisecond',"
                    + " 50, g FROM generate_series(0, " + QueryService.MAX_RAW_ROWS + ") g");
        }
        assertThatThrownBy(() -> hour(queries, "r_big", Map.of()))
                .isInstanceOf(QueryService.TooLarge.class)
                .hasMessageContaining("more than " + QueryService.MAX_RAW_ROWS + " raw samples");
        // A range holding exactly the limit is answered.
        QueryResult r = queries.query(SeriesScope.ALL, new Query("r_big", Map.of(), HOUR, HOUR + QueryService.MAX_RAW_ROWS * 1000L, 0, 0, Aggregation.AVG, null));
        assertThat(r.series().get(0).points().size()).isEqualTo(QueryService.MAX_RAW_ROWS);
    }

    @Test
    void lttbAppliesToRawAnswers() throws Exception {
        QueryResult r = queries.query(SeriesScope.ALL, new Query("r_m", Map.of("host", "x"), HOUR, HOUR + 3_600_000_000L, 0, 100, Aggregation.AVG, Source.RAW));
        assertThat(r.series().get(0).points().size()).isEqualTo(100);
        assertThat(r.series().get(0).points().time(0)).isEqualTo(HOUR);
    }

    @Test
    void everyMetricWhenNoneIsGiven() throws Exception {
        List<QueryResult.Entry> all = hour(queries, null, Map.of("host", "x")).series();
        assertThat(all).extracting(e -> e.series().id()).containsExactly(20, 40);
    }

    @Test
    void samplesAtTheSameTimeKeepTheirOwnValues() throws Exception {
        Points p = hour(queries, "r_twice", Map.of()).series().get(0).points();
        assertThat(p.size()).isEqualTo(1000);
        for (int i = 0; i < p.size(); i += 2) {
            assertThat(p.time(i)).isEqualTo(p.time(i + 1)).isEqualTo(HOUR + (i / 2) * 1_000_000L);
            // Values g and g + 1 were written at that time, g even: both, in either order.
            assertThat(p.value(i) + p.value(i + 1)).isEqualTo(2 * i + 1);
            assertThat(Math.abs(p.value(i) - p.value(i + 1))).isEqualTo(1);
        }
    }
}
