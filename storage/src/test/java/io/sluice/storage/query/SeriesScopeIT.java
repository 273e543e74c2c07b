package io.sluice.storage.query;

import io.sluice.storage.Storage;
import io.sluice.storage.TestDatabase;
import io.sluice.storage.db.DatabaseUrl;
import io.sluice.storage.metrics.Metrics;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every read of the query service sees only the series its scope admits. */
class SeriesScopeIT {
    static DatabaseUrl url;
    static Storage storage;
    static QueryService queries;
    static final long HOUR = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(1, ChronoUnit.HOURS).getEpochSecond() * 1_000_000L;
    /** A tenant value with every character that could end a quoted constant early. */
    static final String ODD = "o'dd\\\"$x$ $$";
    static final SeriesScope A = SeriesScope.of(Map.of("tenant", "a"));
    static final SeriesScope ODD_SCOPE = SeriesScope.of(Map.of("tenant", ODD));

    @BeforeAll
    static void load() throws Exception {
        url = TestDatabase.fresh("scope");
        storage = Storage.open(TestDatabase.storageConfig(url, 1, 100), new Metrics());
        queries = new QueryService(storage.dataSource(), false);
        try (Connection c = TestDatabase.connect(url); Statement st = c.createStatement()) {
            st.execute("INSERT INTO series (id, metric, tags) VALUES"
                    + " (1, 'cpu', '{\"tenant\":\"a\",\"host\":\"h1\"}'),"
                    + " (2, 'cpu', '{\"tenant\":\"b\",\"host\":\"h2\"}'),"
                    + " (3, 'mem_b', '{\"tenant\":\"b\",\"host\":\"h2\"}'),"
                    + " (4, 'cpu', '{\"host\":\"h3\"}'),"
                    + " (5, 'cpu', jsonb_build_object('tenant', $q$" + ODD + "$q$, 'host', 'h4'))");
            st.execute("INSERT INTO samples (time, series_id, value) SELECT to_timestamp(" + HOUR + " / 1e6)"
                    + " + g * interval '1 minute', s, s FROM generate_series(0, 59) g, generate_series(1, 5) s");
        }
    }

    @AfterAll
    static void close() {
        storage.close();
    }

    private static Query hour(Map<String, String> tags, long step) {
        return new Query("cpu", tags, HOUR, HOUR + 3_600_000_000L, step, 0, Aggregation.AVG, null);
    }

    private static List<Integer> ids(QueryResult r) {
        return r.series().stream().map(e -> e.series().id()).toList();
    }

    @Test
    void rawAndBucketedAnswersHoldOnlyTheScopesSeries() throws Exception {
        assertThat(ids(queries.query(SeriesScope.ALL, hour(Map.of(), 0)))).containsExactly(1, 2, 4, 5);
        assertThat(ids(queries.query(A, hour(Map.of(), 0)))).containsExactly(1);
        assertThat(ids(queries.query(A, hour(Map.of(), 600_000_000L)))).containsExactly(1);
        assertThat(ids(queries.query(A, hour(Map.of("host", "h2"), 0)))).isEmpty();
    }

    @Test
    void aFilterNarrowedByTheScopeCannotAskForAnotherTenant() throws Exception {
        Map<String, String> asked = A.narrow(Map.of("tenant", "b", "host", "h1"));
        assertThat(asked).containsEntry("tenant", "a").containsEntry("host", "h1");
        assertThat(ids(queries.query(A, hour(asked, 0)))).containsExactly(1);
    }

    @Test
    void seriesNamesTagValuesAndLatestAreScoped() throws Exception {
        assertThat(queries.series(A, null, Map.of(), 100)).extracting(SeriesRef::id).containsExactly(1);
        assertThat(queries.names(A, null, 100)).containsExactly("cpu");
        assertThat(queries.names(SeriesScope.of(Map.of("tenant", "b")), null, 100)).containsExactly("cpu", "mem_b");
        assertThat(queries.tagValues(A, "host", null, 100)).containsExactly("h1");
        assertThat(queries.tagValues(SeriesScope.ALL, "host", null, 100)).containsExactly("h1", "h2", "h3", "h4");
        assertThat(queries.latest(A, "cpu", Map.of())).extracting(e -> e.series().id()).containsExactly(1);
    }

    @Test
    void quotesBackslashesAndDollarsInTagValuesStayInsideTheConstant() throws Exception {
        assertThat(ids(queries.query(ODD_SCOPE, hour(Map.of(), 0)))).containsExactly(5);
        assertThat(queries.tagValues(ODD_SCOPE, "tenant", null, 10)).containsExactly(ODD);
        assertThatThrownBy(() -> SeriesScope.of(Map.of("t", "x$sluice_scope$; DROP TABLE series; --")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void admitsWhatCarriesEveryRequiredTag() {
        assertThat(A.admits(Map.of("tenant", "a", "host", "x"))).isTrue();
        assertThat(A.admits(Map.of("tenant", "b"))).isFalse();
        assertThat(A.admits(Map.of())).isFalse();
        assertThat(SeriesScope.ALL.admits(Map.of())).isTrue();
        assertThat(SeriesScope.of(Map.of())).isSameAs(SeriesScope.ALL);
    }
}
