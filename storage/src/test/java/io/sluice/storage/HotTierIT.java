package io.sluice.storage;

import io.sluice.codec.SeriesKey;
import io.sluice.storage.db.DatabaseUrl;
import io.sluice.storage.db.Pieces;
import io.sluice.storage.head.Head;
import io.sluice.storage.metrics.Metrics;
import io.sluice.storage.query.Aggregation;
import io.sluice.storage.query.Query;
import io.sluice.storage.query.QueryResult;
import io.sluice.storage.query.QueryService;
import io.sluice.storage.query.SeriesScope;
import io.sluice.storage.query.Source;
import io.sluice.storage.ring.SampleBatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The hot tier on plain PostgreSQL (README, "Hot tier and head"): pieces written without a
 * B-tree, sealed by one index build, and the head answering what is not sealed yet. Pieces of one
 * minute and no seal delay, so a piece a few minutes old is due at once.
 */
class HotTierIT {
    private static final long MINUTE = 60_000_000L;
    private static final String METRIC = "hot_cpu";

    private Storage storage;

    @AfterEach
    void close() {
        if (storage != null) {
            storage.close();
        }
    }

    private DatabaseUrl open(String name, long headBytes) throws Exception {
        DatabaseUrl url = TestDatabase.fresh(name);
        storage = Storage.open(TestDatabase.hotTierConfig(url, 2, 500,
                new HotTierConfig(Duration.ofMinutes(1), Duration.ZERO, headBytes)), new Metrics());
        storage.start();
        return url;
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

    private QueryService queries(boolean withHead) {
        QueryService q = new QueryService(storage.dataSource(), false);
        if (withHead) {
            q.headFrom(storage.head());
        }
        return q;
    }

    private static long points(QueryResult r) {
        return r.series().stream().mapToLong(e -> e.points().size()).sum();
    }

    private static List<String> flat(QueryResult r) {
        List<String> out = new ArrayList<>();
        for (QueryResult.Entry e : r.series()) {
            for (int i = 0; i < e.points().size(); i++) {
                out.add(e.series().id() + "@" + e.points().time(i) + "=" + e.points().value(i));
            }
        }
        return out;
    }

    private QueryResult raw(QueryService q, long from, long to) throws Exception {
        return q.query(SeriesScope.ALL, new Query(METRIC, Map.of(), from, to, 0, 0, Aggregation.AVG, Source.RAW));
    }

    private QueryResult bucketed(QueryService q, long from, long to, long step, Aggregation agg, Source source)
            throws Exception {
        return q.query(SeriesScope.ALL, new Query(METRIC, Map.of(), from, to, step, 0, agg, source));
    }

    private List<Pieces.Piece> pieces() throws Exception {
        try (Connection c = storage.dataSource().getConnection()) {
            return storage.pieces().list(c);
        }
    }

    @Test
    void rowsWrittenBeforeDuringAndAfterASealAreAnsweredExactlyOnce() throws Exception {
        DatabaseUrl url = open("hot_seal", 64L << 20);
        long now = Instant.now().toEpochMilli() * 1000;
        long t0 = Math.floorDiv(now, MINUTE) * MINUTE - 4 * MINUTE; // four one-minute pieces ago
        write(t0, 20_000, 6_000, 10, 0);                              // 2 minutes: pieces t0 and t0+1m
        // Written as blocks: a row per series and piece (10 series, 2 pieces), none yet as rows.
        assertThat(TestDatabase.count(url, "SELECT count(*) FROM samples_blocks")).isEqualTo(20);
        assertThat(TestDatabase.count(url, "SELECT sum(cardinality(times)) FROM samples_blocks")).isEqualTo(6_000);
        assertThat(TestDatabase.count(url, "SELECT count(*) FROM samples_rows")).isZero();
        assertThat(pieces()).filteredOn(p -> p.startMicros() < t0 + 2 * MINUTE && p.startMicros() >= t0)
                .allMatch(p -> !p.sealed());
        QueryService q = queries(true);
        assertThat(points(raw(q, t0, now))).isEqualTo(6_000);
        assertThat(points(raw(queries(false), t0, now))).isEqualTo(6_000);
        assertThat(TestDatabase.count(url, "SELECT count(*) FROM metrics WHERE metric = '" + METRIC + "'")).isEqualTo(6_000);

        // Late samples for those minutes while a seal runs, from two requests at once.
        CompletableFuture<Integer> seal = CompletableFuture.supplyAsync(storage::sealDue);
        write(t0 + 10_000, 20_000, 3_000, 10, 100_000);
        assertThat(seal.get(60, TimeUnit.SECONDS)).isGreaterThanOrEqualTo(0);
        storage.sealDue(); // whatever the first run did not get to
        assertThat(pieces()).filteredOn(p -> p.endMicros() <= now).allMatch(Pieces.Piece::sealed);
        assertThat(pieces()).filteredOn(p -> p.startMicros() < t0 + 2 * MINUTE && p.startMicros() >= t0).hasSize(2);
        assertThat(TestDatabase.count(url, "SELECT count(*) FROM samples_blocks")).isZero();
        assertThat(TestDatabase.count(url, "SELECT count(*) FROM samples_rows")).isEqualTo(9_000);
        // A sealed piece holds its rows sorted by series, then time: one series' minute on few pages.
        // Each run appends its rows sorted; the late request may have come between the two runs.
        assertThat(TestDatabase.count(url, "SELECT count(*) FROM (SELECT (series_id, time) < lag((series_id, time))"
                + " OVER (ORDER BY ctid) AS back FROM " + Pieces.name(t0) + ") r WHERE back")).isLessThanOrEqualTo(1);

        write(t0 + 5_000, 20_000, 1_000, 10, 200_000);               // after: blocks of sealed pieces' time
        long total = 10_000;
        assertThat(points(raw(q, t0, now))).isEqualTo(total);
        assertThat(points(raw(queries(false), t0, now))).isEqualTo(total);
        assertThat(storage.sealDue()).isGreaterThanOrEqualTo(1);      // into the sealed piece (more if a minute ended meanwhile)
        assertThat(TestDatabase.count(url, "SELECT count(*) FROM samples_blocks")).isZero();
        assertThat(points(raw(q, t0, now))).isEqualTo(total);
        assertThat(points(raw(queries(false), t0, now))).isEqualTo(total);
        assertThat(TestDatabase.count(url, "SELECT count(*) FROM metrics WHERE metric = '" + METRIC + "'")).isEqualTo(total);
        assertThat(TestDatabase.count(url, "SELECT count(DISTINCT (series_id, time)) FROM samples")).isEqualTo(total);
        // The rollup counts each sample once.
        try (Connection c = storage.dataSource().getConnection()) {
            storage.rollups().refresh(c, Instant.now().plusSeconds(60));
        }
        assertThat(TestDatabase.count(url, "SELECT sum(count) FROM samples_1m")).isEqualTo(total);
        QueryResult counts = bucketed(q, t0, now, MINUTE, Aggregation.COUNT, Source.M1);
        double counted = 0;
        for (QueryResult.Entry e : counts.series()) {
            for (int i = 0; i < e.points().size(); i++) {
                counted += e.points().value(i);
            }
        }
        assertThat(counted).isEqualTo(total);
        // Sealed pieces are read through their index.
        try (Connection c = TestDatabase.connect(url); Statement st = c.createStatement();
             var rs = st.executeQuery("EXPLAIN SELECT time, value FROM " + Pieces.name(t0)
                     + " WHERE series_id = 1 AND time >= now() - interval '1 hour'")) {
            StringBuilder plan = new StringBuilder();
            while (rs.next()) {
                plan.append(rs.getString(1)).append('\n');
            }
            assertThat(plan.toString()).contains(Pieces.name(t0) + Pieces.INDEX_SUFFIX);
        }
    }

    @Test
    void aSealCutBetweenItsCopyOutAndItsCopyInLosesNothingDuplicatesNothingAndIsDoneByTheNextRun() throws Exception {
        sealCutShort("hot_cut_before", "BEFORE");
    }

    @Test
    void aSealCutAfterItsCopyInBeforeItsCommitLosesNothingDuplicatesNothingAndIsDoneByTheNextRun() throws Exception {
        sealCutShort("hot_cut_after", "AFTER");
    }

    /**
     * The seal's COPY of rows into the piece waits, {@code when} ("BEFORE": the blocks were read
     * out, no row is in yet; "AFTER": every row is in, nothing committed); meanwhile its sessions
     * end, as they do when Sluice is killed (kill -9 closes the connections) or the database
     * restarts: its transaction is rolled back.
     */
    private void sealCutShort(String db, String when) throws Exception {
        DatabaseUrl url = open(db, 64L << 20);
        long now = Instant.now().toEpochMilli() * 1000;
        long t0 = Math.floorDiv(now, MINUTE) * MINUTE - 3 * MINUTE;
        write(t0, 10_000, 3_000, 5, 0);
        write(t0 + 5_000, 10_000, 3_000, 5, 10_000); // overlapping blocks of the same series
        String piece = Pieces.name(t0);
        try (Connection c = storage.dataSource().getConnection()) {
            storage.pieces().ensure(c, List.of(storage.pieces().pieceOf(t0))); // else the sealer makes it
        }
        try (Connection c = TestDatabase.connect(url); Statement st = c.createStatement()) {
            st.execute("CREATE FUNCTION stall() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(60);"
                    + " RETURN NULL; END $$");
            st.execute("CREATE TRIGGER stall " + when + " INSERT ON " + piece + " FOR EACH STATEMENT EXECUTE FUNCTION stall()");
        }
        String sealing = "SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'COPY " + piece + " %' AND state = 'active'"
                + " AND wait_event = 'PgSleep'";
        CompletableFuture<Integer> seal = CompletableFuture.supplyAsync(storage::sealDue);
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> TestDatabase.count(url, sealing) == 1);
        if (when.equals("AFTER")) {
            // Every row is in the seal's transaction, not visible to any other.
            assertThat(TestDatabase.count(url, "SELECT count(*) FROM " + piece)).isZero();
        }
        // Both of the sealer's sessions end: the one moving the rows, and the one that read the blocks.
        assertThat(TestDatabase.count(url, "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                + " WHERE query LIKE 'COPY %' AND pid <> pg_backend_pid() AND datname = current_database()) t"))
                .isEqualTo(2);
        assertThat(seal.get(60, TimeUnit.SECONDS)).isZero();
        assertThat(TestDatabase.count(url, "SELECT sum(cardinality(times)) FROM samples_blocks")).isEqualTo(6_000);
        assertThat(TestDatabase.count(url, "SELECT count(*) FROM samples_rows")).isZero();
        assertThat(TestDatabase.count(url, "SELECT count(*) FROM samples")).isEqualTo(6_000);
        assertThat(points(raw(queries(false), t0, now))).isEqualTo(6_000);
        assertThat(pieces()).filteredOn(p -> p.name().equals(piece)).allMatch(p -> !p.sealed());

        try (Connection c = TestDatabase.connect(url); Statement st = c.createStatement()) {
            st.execute("DROP TRIGGER stall ON " + piece);
        }
        assertThat(storage.sealDue()).isPositive();
        assertThat(pieces()).filteredOn(p -> p.name().equals(piece)).singleElement().matches(Pieces.Piece::sealed);
        assertThat(TestDatabase.count(url, "SELECT count(*) FROM pg_indexes WHERE indexname = '" + piece
                + Pieces.INDEX_SUFFIX + "' AND indexdef LIKE '%(series_id, \"time\" DESC) INCLUDE (value)%'")).isEqualTo(1);
        assertThat(TestDatabase.count(url, "SELECT count(*) FROM samples_blocks")).isZero();
        assertThat(TestDatabase.count(url, "SELECT count(*) FROM samples")).isEqualTo(6_000);
        assertThat(TestDatabase.count(url, "SELECT count(DISTINCT (series_id, time)) FROM samples")).isEqualTo(6_000);
        assertThat(points(raw(queries(true), t0, now))).isEqualTo(6_000);
        // The two requests' overlapping blocks were merged: the piece's rows in (series_id, time) order.
        assertThat(TestDatabase.count(url, "SELECT count(*) FROM (SELECT (series_id, time) < lag((series_id, time))"
                + " OVER (ORDER BY ctid) AS back FROM " + piece + ") r WHERE back")).isZero();
    }

    @Test
    void theHeadAnswersTheHotPiecesAsTheDatabaseDoesBeforeAndAfterTheirSeal() throws Exception {
        open("hot_head", 64L << 20);
        Head head = storage.head();
        long now = Instant.now().toEpochMilli() * 1000;
        assertThat(head.from()).isLessThanOrEqualTo(now);
        long from = Math.max(head.from(), now - 20_000_000L);
        write(from, 3_000, 4_000, 8, 0.25);                         // the current piece and the next
        assertThat(head.samples()).isEqualTo(4_000);
        long end = from + 4_000 * 3_000L;
        QueryService withHead = queries(true);
        QueryService dbOnly = queries(false);
        assertThat(flat(raw(withHead, from - MINUTE, end))).hasSize(4_000)
                .containsExactlyElementsOf(flat(raw(dbOnly, from - MINUTE, end)));
        for (Aggregation agg : Aggregation.values()) {
            assertThat(flat(bucketed(withHead, from - MINUTE, end, 10_000_000L, agg, Source.RAW))).as(agg.name())
                    .isNotEmpty().containsExactlyElementsOf(flat(bucketed(dbOnly, from - MINUTE, end, 10_000_000L, agg, Source.RAW)));
        }
        assertThat(withHead.latest(SeriesScope.ALL, METRIC, Map.of())).extracting(e -> e.points().time(0))
                .containsExactlyInAnyOrderElementsOf(dbOnly.latest(SeriesScope.ALL, METRIC, Map.of()).stream().map(e -> e.points().time(0)).toList());

        // Seal as if the pieces' time were over: the head lets go, the database answers the same.
        try (Connection c = storage.dataSource().getConnection(); Connection reader = storage.dataSource().getConnection()) {
            c.setAutoCommit(true);
            reader.setAutoCommit(true);
            new io.sluice.storage.db.Sealer(storage.pieces(), 0, head, new Metrics()).sealDue(c, reader, end + 2 * MINUTE);
        }
        assertThat(head.from()).isGreaterThanOrEqualTo(end);
        assertThat(head.samples()).isZero();
        assertThat(flat(raw(withHead, from - MINUTE, end))).hasSize(4_000)
                .containsExactlyElementsOf(flat(raw(dbOnly, from - MINUTE, end)));
    }

    @Test
    void aRawQueryTheHeadHoldsWhollyDoesNotReadTheDatabasesSamples() throws Exception {
        DatabaseUrl url = open("hot_head_only", 64L << 20);
        Head head = storage.head();
        long now = Instant.now().toEpochMilli() * 1000;
        long from = Math.max(head.from(), now - 20_000_000L);
        write(from, 3_000, 4_000, 8, 0.5);
        long end = from + 4_000 * 3_000L;
        List<String> expected = flat(raw(queries(false), from, end));
        assertThat(expected).hasSize(4_000);
        // Another session holds every samples table: a query that read them would wait for it.
        ExecutorService query = Executors.newSingleThreadExecutor();
        try (Connection locker = TestDatabase.connect(url); Statement st = locker.createStatement()) {
            locker.setAutoCommit(false);
            st.execute("LOCK TABLE samples_blocks, samples_rows IN ACCESS EXCLUSIVE MODE");
            Future<List<String>> answer = query.submit(() -> flat(raw(queries(true), from, end)));
            assertThat(answer.get(20, TimeUnit.SECONDS)).containsExactlyElementsOf(expected);
            // Below the head's start the database answers: that query waits for the lock.
            Future<QueryResult> below = query.submit(() -> raw(queries(true), head.from() - MINUTE, end));
            assertThatThrownBy(() -> below.get(2, TimeUnit.SECONDS)).isInstanceOf(TimeoutException.class);
            locker.rollback();
            assertThat(flat(below.get(30, TimeUnit.SECONDS))).containsExactlyElementsOf(expected);
        } finally {
            query.shutdownNow();
        }
    }

    @Test
    void aFloodBeyondTheHeadsBoundIsStillAnsweredInFullFromTheDatabase() throws Exception {
        DatabaseUrl url = open("hot_flood", 64 * 1024); // 4,096 samples
        Head head = storage.head();
        long now = Instant.now().toEpochMilli() * 1000;
        long from = Math.max(head.from(), now - 30_000_000L);
        for (int r = 0; r < 10; r++) {
            write(from + r * 5_000L * 20, 20, 5_000, 50, r * 5_000);
            assertThat(head.bytes()).isLessThanOrEqualTo(head.maxBytes() + 50 * 16 * 1024);
        }
        assertThat(head.pressureTrims()).isPositive();
        long end = from + 50_000 * 20L;
        assertThat(points(raw(queries(true), from, end))).isEqualTo(50_000)
                .isEqualTo(TestDatabase.count(url, "SELECT count(*) FROM samples"));
        assertThat(flat(raw(queries(true), from, end))).containsExactlyElementsOf(flat(raw(queries(false), from, end)));
    }

    @Test
    void rowsInsertedBySqlWhereNoPieceExistsLandInTheDaysDefaultPartition() throws Exception {
        DatabaseUrl url = open("hot_sql", 64L << 20);
        long now = Instant.now().toEpochMilli() * 1000;
        long old = Math.floorDiv(now, MINUTE) * MINUTE - 30 * MINUTE;
        try (Connection c = TestDatabase.connect(url); Statement st = c.createStatement()) {
            st.execute("INSERT INTO series (id, metric) VALUES (1000, 'by_sql')");
            st.execute("INSERT INTO samples SELECT to_timestamp(" + old / 1_000_000L + " + g), 1000, g FROM generate_series(0, 99) g");
        }
        assertThat(TestDatabase.count(url, "SELECT count(*) FROM " + Pieces.restName("samples_p"
                + java.time.LocalDate.ofEpochDay(Math.floorDiv(old, 86_400_000_000L)).toString().replace("-", ""))))
                .isEqualTo(100);
        // A writer's sample for the same minute goes there too: no piece can be attached over those rows.
        write(old + 500_000, 1_000, 10, 1, 0);
        assertThat(TestDatabase.count(url, "SELECT count(*) FROM samples")).isEqualTo(110);
        assertThat(storage.sealDue()).isGreaterThanOrEqualTo(0);
        assertThat(TestDatabase.count(url, "SELECT count(*) FROM samples")).isEqualTo(110);
    }

    @Test
    void afterARestartTheHeadIsLoadedFromTheDatabaseAndAnswersAsItDoes() throws Exception {
        // Pieces are not due for ten minutes here: the head must hold them across the restart.
        DatabaseUrl url = TestDatabase.fresh("hot_restart");
        storage = openWithDelay(url, Duration.ofMinutes(10));
        long now = Instant.now().toEpochMilli() * 1000;
        long from = Math.max(storage.head().from(), now - 20_000_000L);
        write(from, 2_000, 5_000, 20, 0.5);
        storage.close();
        storage = openWithDelay(url, Duration.ofMinutes(10));
        assertThat(storage.head().samples()).isEqualTo(5_000);
        long end = from + 5_000 * 2_000L;
        assertThat(flat(raw(queries(true), from - MINUTE, end))).hasSize(5_000)
                .containsExactlyElementsOf(flat(raw(queries(false), from - MINUTE, end)));
    }

    private static Storage openWithDelay(DatabaseUrl url, Duration sealDelay) throws Exception {
        Storage s = Storage.open(TestDatabase.hotTierConfig(url, 2, 500,
                new HotTierConfig(Duration.ofMinutes(1), sealDelay, 64L << 20)), new Metrics());
        s.start();
        return s;
    }
}
