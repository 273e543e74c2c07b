package io.sluice.storage.writer;

import io.sluice.codec.SeriesKey;
import io.sluice.storage.HotTierConfig;
import io.sluice.storage.Storage;
import io.sluice.storage.StorageConfig;
import io.sluice.storage.TestDatabase;
import io.sluice.storage.Writes;
import io.sluice.storage.db.DatabaseUrl;
import io.sluice.storage.metrics.Metrics;
import io.sluice.storage.ring.SampleBatch;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code write_ack = journal} (README, "What an answer guarantees"): acknowledged samples are
 * written once behind the journal whatever stops the flusher: another process recovering its
 * rows, a database fast-stopped under it, a value the database refuses.
 */
class JournalIT {
    private static final String SAMPLES = "SELECT count(*) FROM samples";
    private static final String DISTINCT = "SELECT count(DISTINCT value) FROM samples";
    private static final String JOURNAL = "SELECT count(*) FROM sluice_journal";

    @TempDir
    Path dir;
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    static StorageConfig journalConfig(DatabaseUrl url) {
        StorageConfig base = TestDatabase.hotTierConfig(url, 2, 10_000, HotTierConfig.DEFAULT);
        return new StorageConfig(base.database(), base.writer(), base.ringSize(), base.maxSeries(), base.chunkInterval(),
                base.partitionsAhead(), false, base.shutdownTimeout(), base.extraConnections(), base.retentionRaw(),
                base.retention1m(), base.hotTier(), new JournalConfig(true, 4_096, 200));
    }

    private Storage open(DatabaseUrl url, Metrics metrics) throws Exception {
        Storage s = Storage.open(journalConfig(url), metrics);
        open.add(s);
        s.start();
        return s;
    }

    /** {@code requests} acknowledged requests of 100 samples over 4 series, values {@code first} on, each awaited. */
    private static int write(Storage s, int requests, int first, double sign) throws Exception {
        long t0 = Instant.now().toEpochMilli() * 1000 - 60_000_000L;
        int v = first;
        for (int r = 0; r < requests; r++) {
            SampleBatch b = new SampleBatch(100);
            for (int i = 0; i < 100; i++, v++) {
                Writes.add(s, b, SeriesKey.of("journal", Map.of("host", "h" + (i % 4))), t0 + v * 1000L, sign * v);
            }
            assertThat(Writes.request(s, b).get(60, TimeUnit.SECONDS)).isEqualTo("ok");
        }
        return v - first;
    }

    @Test
    void anotherProcessRecoversAHeldFlushAndTheFlusherComingBackWritesNothingTwice() throws Exception {
        DatabaseUrl url = TestDatabase.fresh("journal_recover");
        Metrics first = new Metrics();
        Storage a = open(url, first);
        a.journal().pause(true); // as if killed between the journal's commit and the flush
        int n = write(a, 20, 0, 1);
        assertThat(TestDatabase.count(url, SAMPLES)).isZero();
        assertThat(TestDatabase.count(url, JOURNAL)).isPositive();

        // A second process on the same database writes every other start's rows before it serves.
        Metrics second = new Metrics();
        open(url, second);
        assertThat(TestDatabase.count(url, SAMPLES)).isEqualTo(n);
        assertThat(TestDatabase.count(url, DISTINCT)).isEqualTo(n);
        assertThat(TestDatabase.count(url, JOURNAL)).isZero();
        assertThat(second.value("sluice_journal_recovered_samples_total")).isEqualTo(n);

        // The first one's flusher resumes with the same rows: its DELETE finds them gone, it writes none.
        a.journal().pause(false);
        await().atMost(Duration.ofSeconds(60)).until(() -> first.value("sluice_journal_rows_taken_total") > 0
                && a.journal().pending() == 0);
        assertThat(first.value("sluice_journal_flushed_samples_total")).isZero();
        assertThat(TestDatabase.count(url, SAMPLES)).isEqualTo(n);
        assertThat(TestDatabase.count(url, DISTINCT)).isEqualTo(n);
    }

    @Test
    void samplesTheFlusherHoldsWhenTheDatabaseIsFastStoppedLandOnceAfterItReturns() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        EmbeddedPostgres[] pg = {startPg(port)};
        open.add(() -> pg[0].close());
        DatabaseUrl url = new DatabaseUrl("jdbc:postgresql://localhost:" + port + "/postgres", "postgres", null);
        Metrics metrics = new Metrics();
        Storage s = open(url, metrics);
        s.journal().pause(true);
        int n = write(s, 30, 0, 1);
        pg[0].close(); // pg_ctl stop -m fast
        s.journal().pause(false);
        await().atMost(Duration.ofSeconds(30)).until(() -> metrics.value("sluice_journal_flush_retries_total") > 0);
        pg[0] = startPg(port);
        await().atMost(Duration.ofSeconds(60)).until(() -> s.journal().pending() == 0);
        assertThat(TestDatabase.count(url, SAMPLES)).isEqualTo(n);
        assertThat(TestDatabase.count(url, DISTINCT)).isEqualTo(n);
        assertThat(TestDatabase.count(url, JOURNAL)).isZero();
    }

    @Test
    void aValueTheDatabaseRefusesBehindTheJournalIsLeftOutAndCountedAndTheRestLands() throws Exception {
        DatabaseUrl url = TestDatabase.fresh("journal_refused");
        Metrics metrics = new Metrics();
        Storage s = open(url, metrics);
        TestDatabase.refuseNegativeValues(url);
        s.journal().pause(true);
        int good = write(s, 5, 1, 1);
        // Acknowledged: the journal takes any value; the blocks refuse it later.
        SampleBatch b = new SampleBatch(1);
        Writes.add(s, b, SeriesKey.of("journal_bad", Map.of()), Instant.now().toEpochMilli() * 1000 - 30_000_000L, -5);
        assertThat(Writes.request(s, b).get(60, TimeUnit.SECONDS)).isEqualTo("ok");
        s.journal().pause(false);
        await().atMost(Duration.ofSeconds(60)).until(() -> s.journal().pending() == 0);
        assertThat(metrics.value("sluice_journal_refused_samples_total")).isEqualTo(1);
        assertThat(TestDatabase.count(url, SAMPLES)).isEqualTo(good);
        assertThat(TestDatabase.count(url, "SELECT count(*) FROM samples WHERE value < 0")).isZero();
        assertThat(TestDatabase.count(url, JOURNAL)).isZero();
    }

    @Test
    void aRefusalAtCommitThatNamesNoRowLeavesOutTheOneJournalRowAndTheRestLands() throws Exception {
        DatabaseUrl url = TestDatabase.fresh("journal_refused_commit");
        Metrics metrics = new Metrics();
        Storage s = open(url, metrics);
        TestDatabase.refuseAtCommit(url, 777.5);
        s.journal().pause(true);
        int good = write(s, 4, 1, 1);
        // One request, one journal row, its 3 samples together with the refused value.
        SampleBatch b = new SampleBatch(3);
        long t = Instant.now().toEpochMilli() * 1000 - 30_000_000L;
        for (int i = 0; i < 3; i++) {
            Writes.add(s, b, SeriesKey.of("journal_deferred", Map.of()), t + i, i == 1 ? 777.5 : -1 - i);
        }
        assertThat(Writes.request(s, b).get(60, TimeUnit.SECONDS)).isEqualTo("ok");
        good += write(s, 2, 10_000, 1);
        s.journal().pause(false);
        await().atMost(Duration.ofSeconds(60)).until(() -> s.journal().pending() == 0);
        assertThat(metrics.value("sluice_journal_refused_samples_total")).isEqualTo(3);
        assertThat(TestDatabase.count(url, SAMPLES)).isEqualTo(good);
        assertThat(TestDatabase.count(url, DISTINCT)).isEqualTo(good);
        assertThat(TestDatabase.count(url, JOURNAL)).isZero();
    }

    /** TimescaleDB: the flusher writes rows into the hypertable, as the writers do in commit mode. */
    @Test
    void onTimescaleTheFlusherWritesRowsIntoTheHypertable() throws Exception {
        DatabaseUrl url = TestDatabase.freshTimescale();
        try {
            StorageConfig base = TestDatabase.storageConfig(url, 2, 10_000);
            Metrics metrics = new Metrics();
            try (Storage s = Storage.open(new StorageConfig(base.database(), base.writer(), base.ringSize(),
                    base.maxSeries(), base.chunkInterval(), base.partitionsAhead(), true, base.shutdownTimeout(),
                    base.extraConnections(), base.retentionRaw(), base.retention1m(), base.hotTier(),
                    new JournalConfig(true, 4_096, 200)), metrics)) {
                assertThat(s.flavor()).isEqualTo(io.sluice.storage.db.Schema.Flavor.TIMESCALE);
                s.start();
                int n = write(s, 10, 0, 1);
                await().atMost(Duration.ofSeconds(60)).until(() -> TestDatabase.count(url, JOURNAL) == 0);
                assertThat(TestDatabase.count(url, SAMPLES)).isEqualTo(n);
                assertThat(TestDatabase.count(url, DISTINCT)).isEqualTo(n);
                assertThat(metrics.value("sluice_journal_flushed_samples_total")).isEqualTo(n);
            }
        } finally {
            TestDatabase.dropTimescale(url);
        }
    }

    private EmbeddedPostgres startPg(int port) throws Exception {
        return TestDatabase.ownServer(dir.resolve("pg"), port).start();
    }
}
