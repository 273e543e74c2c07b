package io.sluice.storage.db;

import io.sluice.codec.SeriesKey;
import io.sluice.storage.Storage;
import io.sluice.storage.StorageConfig;
import io.sluice.storage.TestDatabase;
import io.sluice.storage.Writes;
import io.sluice.storage.metrics.Metrics;
import io.sluice.storage.ring.SampleBatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Partitions never hold back the writers: every day a sample may be accepted
 * for is created ahead by maintenance; one still missing is attached without a lock that waits
 * for readers; retention detaches concurrently.
 */
class PartitionsIT {
    private static final long DAY = Partitions.DAY_MICROS;

    private Storage storage;
    private final Metrics metrics = new Metrics();

    @AfterEach
    void close() {
        if (storage != null) {
            storage.close();
        }
    }

    private long now() {
        return Instant.now().toEpochMilli() * 1000;
    }

    /** Waits for maintenance's first run: a partition from {@code daysBack} before today to 2 days ahead. */
    private void awaitWindow(int daysBack) {
        long today = Partitions.dayOf(now());
        await().atMost(Duration.ofSeconds(120)).until(() -> {
            for (long d = today - daysBack; d <= today + 2; d++) {
                if (!storage.partitions().has(d)) {
                    return false;
                }
            }
            return true;
        });
    }

    @Test
    void maintenanceKeepsAPartitionForEveryRetainedDaySoWritersCreateNone() throws Exception {
        DatabaseUrl url = TestDatabase.fresh("window");
        storage = Storage.open(TestDatabase.storageConfig(url, 2, 1000), metrics);
        storage.start();
        // Retention is 30 days in the test settings, and 2 days ahead.
        awaitWindow(30);
        assertThat(TestDatabase.count(url, "SELECT count(*) FROM pg_inherits WHERE inhparent = 'samples_rows'::regclass"))
                .isEqualTo(33);
        // A backfill over the whole window: samples land and no writer creates a partition.
        SampleBatch batch = new SampleBatch(3000);
        long t = now();
        for (int i = 0; i < 3000; i++) {
            Writes.add(storage, batch, SeriesKey.of("old", Map.of("h", Integer.toString(i % 7))), t - (i * 997_000_000L) % (29 * DAY), i);
        }
        assertThat(Writes.request(storage, batch).get(30, TimeUnit.SECONDS)).isEqualTo("ok");
        assertThat(TestDatabase.count(url, "SELECT count(*) FROM samples")).isEqualTo(3000);
        assertThat(metrics.value("sluice_partitions_created_total", "by", "writer")).isZero();
        assertThat(metrics.value("sluice_partitions_created_total", "by", "maintenance")).isGreaterThanOrEqualTo(33);
    }

    @Test
    void aMissingPartitionIsAttachedWhileAQueryReadsAndOtherWritersGoOn() throws Exception {
        DatabaseUrl url = TestDatabase.fresh("attach");
        storage = Storage.open(TestDatabase.storageConfig(url, 2, 1000), metrics);
        storage.start();
        long old = now() - 400 * DAY; // outside the kept window: no partition
        assertThat(storage.partitions().has(Partitions.dayOf(old))).isFalse();
        try (Connection reader = TestDatabase.connect(url); Statement st = reader.createStatement()) {
            // A long query over samples: it holds ACCESS SHARE on samples until it ends, which
            // CREATE TABLE ... PARTITION OF (ACCESS EXCLUSIVE) waited for, and every COPY behind it.
            reader.setAutoCommit(false);
            st.executeQuery("SELECT count(*) FROM samples").close();
            CompletableFuture<String> oldWrite = Writes.one(storage, SeriesKey.of("late", Map.of()), old, 1);
            CompletableFuture<String> newWrite = Writes.one(storage, SeriesKey.of("live", Map.of()), now(), 2);
            assertThat(newWrite.get(60, TimeUnit.SECONDS)).isEqualTo("ok");
            assertThat(oldWrite.get(60, TimeUnit.SECONDS)).isEqualTo("ok");
            reader.commit();
        }
        assertThat(TestDatabase.count(url, "SELECT count(*) FROM samples")).isEqualTo(2);
        assertThat(metrics.value("sluice_partitions_created_total", "by", "writer")).isEqualTo(1);
        // A plain table attached: its bounds are those of a day partition, the check constraint gone.
        String name = "samples_p" + java.time.LocalDate.ofEpochDay(Partitions.dayOf(old)).toString().replace("-", "");
        assertThat(TestDatabase.count(url, "SELECT count(*) FROM pg_constraint WHERE conrelid = '" + name + "'::regclass"
                + " AND contype = 'c'")).isZero();
        assertThat(TestDatabase.count(url, "SELECT count(*) FROM pg_indexes WHERE tablename = '" + name + "'")).isEqualTo(1);
    }

    @Test
    void retentionDetachesWhileAQueryReadsAndWritersGoOn() throws Exception {
        DatabaseUrl url = TestDatabase.fresh("detach");
        storage = Storage.open(TestDatabase.storageConfig(url, 1, 1000), metrics);
        storage.start();
        long old = now() - 40 * DAY;
        assertThat(Writes.one(storage, SeriesKey.of("r", Map.of()), old, 1).get(60, TimeUnit.SECONDS)).isEqualTo("ok");
        CompletableFuture<Integer> dropped;
        try (Connection reader = TestDatabase.connect(url); Statement st = reader.createStatement();
             Connection maintenance = TestDatabase.connect(url)) {
            // A dashboard's query over today: it locks samples and today's partition only, so the
            // old day's partition is free to drop, but a DROP TABLE then waits for ACCESS
            // EXCLUSIVE on samples behind this query, and every COPY behind the DROP.
            reader.setAutoCommit(false);
            st.executeQuery("SELECT count(*) FROM samples WHERE time >= '" + Instant.ofEpochSecond(
                    Partitions.dayOf(now()) * 86_400L) + "'").close();
            dropped = CompletableFuture.supplyAsync(() -> {
                try {
                    return storage.partitions().dropOlderThan(maintenance, now() - 30 * DAY);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            Thread.sleep(500); // let retention reach its lock wait
            assertThat(Writes.one(storage, SeriesKey.of("r", Map.of()), now(), 2).get(60, TimeUnit.SECONDS))
                    .isEqualTo("ok");
            reader.commit();
            assertThat(dropped.get(30, TimeUnit.SECONDS)).isEqualTo(1);
        }
        assertThat(TestDatabase.count(url, "SELECT count(*) FROM samples")).isEqualTo(1);
        assertThat(storage.partitions().has(Partitions.dayOf(old))).isFalse();
    }

    @Test
    void retentionKeepsTheDayAtTheEdgeForAnHourOfGrace() throws Exception {
        DatabaseUrl url = TestDatabase.fresh("grace");
        storage = Storage.open(TestDatabase.storageConfig(url, 1, 1000), metrics);
        long day = Partitions.dayOf(now()) - 5;
        try (Connection c = TestDatabase.connect(url)) {
            storage.partitions().ensure(c, List.of(day));
            // The cut-off just past the end of that day: still within the grace, kept.
            assertThat(storage.partitions().dropOlderThan(c, (day + 1) * DAY + 30 * 60_000_000L)).isZero();
            assertThat(storage.partitions().dropOlderThan(c, (day + 1) * DAY + 61 * 60_000_000L)).isGreaterThanOrEqualTo(1);
            assertThat(storage.partitions().has(day)).isFalse();
        }
    }

    /**
     * A backfill under the hot tier: one request stream backfilling samples spread over 40
     * days while two others write the present. Each past hour used to get a piece made by the
     * writer that met it (one table per hour written, each attached in the writers' path, every
     * other request of that writer's batch waiting); now old time goes to its day's default
     * partition and writers run no DDL for it.
     */
    @Test
    void aBackfillOverFortyDaysWhileOthersWriteRunsNoDdlInTheWritersPathAndStoresEachRowOnce() throws Exception {
        DatabaseUrl url = TestDatabase.fresh("backfill");
        StorageConfig base = TestDatabase.storageConfig(url, 2, 1000);
        storage = Storage.open(new StorageConfig(base.database(), base.writer(), base.ringSize(), base.maxSeries(),
                base.chunkInterval(), base.partitionsAhead(), false, base.shutdownTimeout(), base.extraConnections(),
                Duration.ofDays(60), base.retention1m()), metrics);
        storage.start();
        awaitWindow(60);
        try (Connection c = TestDatabase.connect(url); Statement st = c.createStatement()) {
            // Every statement that makes or attaches a table from now on, with its transaction.
            st.execute("CREATE TABLE ddl_log (xid int8, tag text, query text)");
            st.execute("CREATE FUNCTION log_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $$ BEGIN"
                    + " INSERT INTO ddl_log VALUES (txid_current() % 4294967296, tg_tag, current_query()); END $$");
            st.execute("CREATE EVENT TRIGGER log_ddl ON ddl_command_end WHEN TAG IN ('CREATE TABLE', 'ALTER TABLE')"
                    + " EXECUTE FUNCTION log_ddl()");
            st.execute("CREATE TABLE ddl_probe ()"); // the trigger records: the checks below are not vacuous
            assertThat(st.executeUpdate("DELETE FROM ddl_log WHERE query LIKE '%ddl_probe%'")).isEqualTo(1);
            st.execute("DROP TABLE ddl_probe");
        }
        long start = now();
        long currentPiece = storage.pieces().pieceOf(start);
        int requests = 20;
        int rows = 500;
        List<CompletableFuture<Void>> streams = new java.util.ArrayList<>();
        for (int stream = 0; stream < 3; stream++) {
            boolean backfill = stream == 0;
            int s = stream;
            streams.add(CompletableFuture.runAsync(() -> {
                java.util.Random random = new java.util.Random(s);
                for (int r = 0; r < requests; r++) {
                    SampleBatch batch = new SampleBatch(rows);
                    for (int i = 0; i < rows; i++) {
                        // From two hours to 40 days back: about 900 distinct past hours.
                        long t = backfill ? start - 2 * 3_600_000_000L - (long) (random.nextDouble() * 40 * DAY) : now();
                        Writes.add(storage, batch, SeriesKey.of(backfill ? "old" : "live", Map.of("s", "s" + s, "h",
                                Integer.toString(i % 10))), t, s * 1_000_000 + r * rows + i);
                    }
                    try {
                        assertThat(Writes.request(storage, batch).get(60, TimeUnit.SECONDS)).isEqualTo("ok");
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }
            }));
        }
        CompletableFuture.allOf(streams.toArray(CompletableFuture[]::new)).get(180, TimeUnit.SECONDS);

        long sent = 3L * requests * rows;
        assertThat(TestDatabase.count(url, "SELECT count(*) FROM samples")).isEqualTo(sent);
        assertThat(TestDatabase.count(url, "SELECT count(DISTINCT value) FROM samples")).isEqualTo(sent);
        assertThat(TestDatabase.count(url, "SELECT count(*) FROM samples WHERE time < now() - interval '1 hour'"))
                .isEqualTo((long) requests * rows);
        // No piece for the backfilled hours; the writers attached no day either.
        try (Connection c = storage.dataSource().getConnection()) {
            assertThat(storage.pieces().list(c)).extracting(Pieces.Piece::name)
                    .allMatch(name -> storage.pieces().pieceOf(Pieces.parse(name)) >= currentPiece - 1, "made ahead, not for old time");
        }
        assertThat(metrics.value("sluice_partitions_created_total", "by", "writer")).isZero();
        // Whatever was made meanwhile (maintenance's pieces ahead) ran in no transaction that stored samples.
        assertThat(TestDatabase.count(url, "SELECT count(*) FROM ddl_log WHERE xid IN (SELECT DISTINCT xmin::text::int8 FROM samples)"))
                .isZero();
        try (Connection c = TestDatabase.connect(url); Statement st = c.createStatement();
             java.sql.ResultSet rs = st.executeQuery("SELECT query FROM ddl_log WHERE tag = 'CREATE TABLE'")) {
            while (rs.next()) {
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("samples_p\\d{8}_\\d{4}").matcher(rs.getString(1));
                assertThat(m.find()).as(rs.getString(1)).isTrue();
                assertThat(storage.pieces().pieceOf(Pieces.parse(m.group()))).as(rs.getString(1)).isGreaterThanOrEqualTo(currentPiece);
            }
        }
    }
}
