package io.sluice.storage;

import io.sluice.codec.SampleSink;
import io.sluice.codec.SeriesKey;
import io.sluice.storage.db.DatabaseUrl;
import io.sluice.storage.db.Schema;
import io.sluice.storage.metrics.Metrics;
import io.sluice.storage.ring.SampleBatch;
import io.sluice.storage.ring.SampleEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The TimescaleDB flavour: runs against the server named by {@code SLUICE_TEST_TIMESCALE_URL}
 * (a JDBC URL with user), skipped with the reason otherwise.
 */
class TimescaleIT {
    private DatabaseUrl url;

    @BeforeEach
    void database() throws Exception {
        url = TestDatabase.freshTimescale();
    }

    @AfterEach
    void drop() throws Exception {
        if (url != null) {
            TestDatabase.dropTimescale(url);
        }
    }

    @Test
    void anAvailableExtensionMakesSamplesAHypertableAndWritesLand() throws Exception {
        try (Storage storage = Storage.open(StorageIT.config(url, 2, 100), new Metrics())) {
            storage.start();
            assertThat(storage.flavor()).isEqualTo(Schema.Flavor.TIMESCALE);
            try (Connection c = TestDatabase.connect(url)) {
                // Preloaded: the probe says so from the catalogue.
                io.sluice.storage.db.TimescaleProbe probe = io.sluice.storage.db.TimescaleProbe.read(c);
                assertThat(probe.loaderSettings()).isTrue();
                assertThat(probe.verdict()).isEqualTo(io.sluice.storage.db.TimescaleProbe.Verdict.USE);
            }
            assertThat(TestDatabase.count(url, "SELECT count(*) FROM timescaledb_information.hypertables"
                    + " WHERE hypertable_name = 'samples'")).isEqualTo(1);
            assertThat(TestDatabase.count(url, "SELECT count(*) FROM timescaledb_information.jobs WHERE"
                    + " (proc_name = 'policy_compression' AND hypertable_name = 'samples')"
                    + " OR (proc_name = 'policy_retention' AND hypertable_name = 'samples')")).isEqualTo(2);
            assertThat(TestDatabase.count(url, "SELECT count(*) FROM timescaledb_information.jobs"
                    + " WHERE proc_name = 'policy_retention' AND hypertable_name = 'samples_1m'")).isEqualTo(1);
            assertThat(TestDatabase.count(url, "SELECT count(*) FROM timescaledb_information.jobs"
                    + " WHERE proc_name = 'policy_refresh_continuous_aggregate'")).isEqualTo(3);
            assertThat(TestDatabase.count(url, "SELECT count(*) FROM timescaledb_information.compression_settings"
                    + " WHERE hypertable_name = 'samples' AND attname = 'series_id' AND segmentby_column_index = 1")).isEqualTo(1);
            assertThat(TestDatabase.count(url, "SELECT count(*) FROM timescaledb_information.dimensions"
                    + " WHERE hypertable_name = 'samples' AND time_interval = INTERVAL '1 day'")).isEqualTo(1);

            SeriesKey key = storage.registry().pending(SeriesKey.of("ts_cpu", Map.of("host", "a")));
            long t = Instant.now().toEpochMilli() * 1000;
            SampleBatch batch = new SampleBatch(500);
            for (int i = 0; i < 500; i++) {
                batch.add(SampleEvent.UNRESOLVED, key, t - i * 60_000_000L, i, SampleSink.NO_STEP);
            }
            assertThat(Writes.request(storage, batch).get(60, TimeUnit.SECONDS)).isEqualTo("ok");
            assertThat(TestDatabase.count(url, "SELECT count(*) FROM metrics WHERE metric = 'ts_cpu'")).isEqualTo(500);

            // Rollups are hierarchical real-time continuous aggregates: a query over the 1h one
            // sees samples no policy has materialised yet, and agrees with raw.
            assertThat(TestDatabase.count(url, "SELECT count(*) FROM timescaledb_information.continuous_aggregates"
                    + " WHERE view_name IN ('samples_1m', 'samples_1h', 'samples_1d')")).isEqualTo(3);
            io.sluice.storage.query.QueryService q = new io.sluice.storage.query.QueryService(storage.dataSource(), true);
            long from = Math.floorDiv(t - 499 * 60_000_000L, 3_600_000_000L) * 3_600_000_000L; // whole buckets
            long to = t + 1;
            for (io.sluice.storage.query.Aggregation a : io.sluice.storage.query.Aggregation.values()) {
                var raw = q.query(io.sluice.storage.query.SeriesScope.ALL, new io.sluice.storage.query.Query("ts_cpu", Map.of(), from, to, 86_400_000_000L, 0, a,
                        io.sluice.storage.query.Source.RAW));
                var rolled = q.query(io.sluice.storage.query.SeriesScope.ALL, new io.sluice.storage.query.Query("ts_cpu", Map.of(), from, to, 86_400_000_000L, 0, a,
                        io.sluice.storage.query.Source.H1));
                var rp = raw.series().get(0).points();
                var hp = rolled.series().get(0).points();
                assertThat(hp.size()).as(a.name()).isEqualTo(rp.size());
                for (int i = 0; i < rp.size(); i++) {
                    assertThat(hp.value(i)).as(a.name()).isCloseTo(rp.value(i), org.assertj.core.api.Assertions.within(1e-6));
                }
            }
        }
    }

    @Test
    void backfilledDaysAreRolledUpOnceThePoliciesRun() throws Exception {
        try (Storage storage = Storage.open(StorageIT.config(url, 2, 1000), new Metrics())) {
            storage.start();
            long day = 86_400_000_000L;
            long now = Instant.now().toEpochMilli() * 1000;
            long[] starts = {Math.floorDiv(now - 3 * day, day) * day, Math.floorDiv(now - 20 * day, day) * day};
            SampleBatch batch = new SampleBatch(2 * 1440);
            for (long start : starts) {
                for (int i = 0; i < 1440; i++) {
                    Writes.add(storage, batch, SeriesKey.of("ts_late", Map.of()), start + i * 30_000_000L, i % 97);
                }
            }
            // A server that has been running: live samples, refreshed by the policies (so each
            // rollup's watermark is near now) before the backfill comes.
            SampleBatch live = new SampleBatch(120);
            for (int i = 0; i < 120; i++) {
                Writes.add(storage, live, SeriesKey.of("ts_late", Map.of()), now - 3_600_000_000L + i * 30_000_000L, i);
            }
            assertThat(Writes.request(storage, live).get(30, TimeUnit.SECONDS)).isEqualTo("ok");
            runRefreshPolicies(url);
            assertThat(Writes.request(storage, batch).get(30, TimeUnit.SECONDS)).isEqualTo("ok");
            runRefreshPolicies(url);
            io.sluice.storage.query.QueryService q = new io.sluice.storage.query.QueryService(storage.dataSource(), true);
            for (long start : starts) {
                for (io.sluice.storage.query.Source source : new io.sluice.storage.query.Source[] {
                        io.sluice.storage.query.Source.M1, io.sluice.storage.query.Source.H1, io.sluice.storage.query.Source.D1}) {
                    for (io.sluice.storage.query.Aggregation a : io.sluice.storage.query.Aggregation.values()) {
                        var raw = q.query(io.sluice.storage.query.SeriesScope.ALL, new io.sluice.storage.query.Query("ts_late", Map.of(), start, start + day, day, 0, a,
                                io.sluice.storage.query.Source.RAW));
                        var rolled = q.query(io.sluice.storage.query.SeriesScope.ALL, new io.sluice.storage.query.Query("ts_late", Map.of(), start, start + day, day, 0, a,
                                source));
                        assertThat(rolled.series()).as(source + " " + a).hasSize(1);
                        assertThat(rolled.series().get(0).points().value(0)).as(source + " " + a)
                                .isEqualTo(raw.series().get(0).points().value(0));
                    }
                }
            }
        }
    }

    /** What the refresh policies do on their schedule, in order: 1m, then 1h from it, then 1d. */
    static void runRefreshPolicies(DatabaseUrl url) throws Exception {
        try (Connection c = TestDatabase.connect(url); Statement st = c.createStatement()) {
            for (String view : new String[] {"samples_1m", "samples_1h", "samples_1d"}) {
                long job;
                try (var rs = st.executeQuery("SELECT job_id FROM timescaledb_information.jobs WHERE proc_name ="
                        + " 'policy_refresh_continuous_aggregate' AND hypertable_name = '" + view + "'")) {
                    rs.next();
                    job = rs.getLong(1);
                }
                // Taken off the schedule first: a run by the background scheduler meanwhile is refused.
                st.execute("SELECT alter_job(" + job + ", scheduled => false)");
                org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60)).ignoreExceptionsMatching(
                        e -> String.valueOf(e.getMessage()).contains("concurrent refresh")).until(() -> {
                            st.execute("CALL run_job(" + job + ")");
                            return true;
                        });
            }
        }
    }
}
