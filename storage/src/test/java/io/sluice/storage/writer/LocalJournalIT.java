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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * {@code write_ack = local} (README, "What an answer guarantees"): a batch is acknowledged once a
 * record holding it is synced to its writer's journal file, and whatever stops the process
 * between that and the flush, the next start on the same data dir and database writes every
 * acknowledged sample once: not a torn record, not a record its mark is already past.
 */
class LocalJournalIT {
    private static final String SAMPLES = "SELECT count(*) FROM samples";
    private static final String DISTINCT = "SELECT count(DISTINCT value) FROM samples";
    private static final int PER_REQUEST = 100;

    @TempDir
    Path dir;
    private final List<Storage> open = new ArrayList<>();

    @AfterEach
    void closeAll() {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    private StorageConfig config(DatabaseUrl url, int writers, long segmentBytes) {
        StorageConfig base = TestDatabase.hotTierConfig(url, writers, 10_000, HotTierConfig.DEFAULT);
        return new StorageConfig(base.database(), base.writer(), base.ringSize(), base.maxSeries(), base.chunkInterval(),
                base.partitionsAhead(), false, base.shutdownTimeout(), base.extraConnections(), base.retentionRaw(),
                base.retention1m(), base.hotTier(), JournalConfig.local(dir.resolve("journal"), 4_096, 200, segmentBytes));
    }

    private Storage open(DatabaseUrl url, Metrics metrics, int writers, long segmentBytes) throws Exception {
        Storage s = Storage.open(config(url, writers, segmentBytes), metrics);
        open.add(s);
        s.start();
        return s;
    }

    private Storage open(DatabaseUrl url, Metrics metrics) throws Exception {
        return open(url, metrics, 2, JournalConfig.SEGMENT_BYTES);
    }

    /** As {@code kill -9} leaves it: nothing drained; the next start finds only the files and the database. */
    private void kill(Storage s) {
        s.abandon();
        open.remove(s);
    }

    /** {@code requests} acknowledged requests of 100 samples over 4 series, values {@code first} on, each awaited. */
    private static int write(Storage s, int requests, int first) throws Exception {
        long now = Instant.now().toEpochMilli() * 1000;
        // Within the current hour: on a fresh database the head starts at the current hour's piece,
        // so in an hour's first minute a sample a minute old would be older than the head.
        long t0 = Math.max(now - 60_000_000L, Math.floorDiv(now, 3_600_000_000L) * 3_600_000_000L);
        int v = first;
        for (int r = 0; r < requests; r++) {
            SampleBatch b = new SampleBatch(PER_REQUEST);
            for (int i = 0; i < PER_REQUEST; i++, v++) {
                Writes.add(s, b, SeriesKey.of("local", Map.of("host", "h" + (i % 4))), t0 + v * 1000L, v);
            }
            assertThat(Writes.request(s, b).get(60, TimeUnit.SECONDS)).isEqualTo("ok");
        }
        return v - first;
    }

    private List<Path> segments() throws Exception {
        try (Stream<Path> s = Files.list(dir.resolve("journal"))) {
            return s.filter(p -> p.getFileName().toString().endsWith(".journal")).sorted().toList();
        }
    }

    @Test
    void acknowledgedWritesReachTheTablesOnceAndTheHeadAtOnce() throws Exception {
        DatabaseUrl url = TestDatabase.fresh("local_e2e");
        Metrics metrics = new Metrics();
        Storage s = open(url, metrics);
        s.journal().pause(true);
        int n = write(s, 10, 0);
        assertThat(TestDatabase.count(url, SAMPLES)).isZero();
        assertThat(TestDatabase.count(url, "SELECT count(*) FROM sluice_journal")).isZero();
        assertThat(s.head().samples()).isEqualTo(n);
        assertThat(metrics.value("sluice_journal_local_records_total")).isEqualTo(10);
        s.journal().pause(false);
        await().atMost(Duration.ofSeconds(60)).until(() -> TestDatabase.count(url, SAMPLES) >= n && s.journal().pending() == 0);
        assertThat(TestDatabase.count(url, SAMPLES)).isEqualTo(n);
        assertThat(TestDatabase.count(url, DISTINCT)).isEqualTo(n);
    }

    @Test
    void aStartOnTheSameDataDirWritesEveryAcknowledgedSampleOnce() throws Exception {
        DatabaseUrl url = TestDatabase.fresh("local_recover");
        Storage a = open(url, new Metrics());
        a.journal().pause(true); // as if killed between the record's sync and the flush
        int n = write(a, 20, 0);
        kill(a);
        assertThat(TestDatabase.count(url, SAMPLES)).isZero();

        Metrics second = new Metrics();
        open(url, second);
        assertThat(TestDatabase.count(url, SAMPLES)).isEqualTo(n);
        assertThat(TestDatabase.count(url, DISTINCT)).isEqualTo(n);
        assertThat(second.value("sluice_journal_recovered_samples_total")).isEqualTo(n);
        assertThat(second.value("sluice_journal_local_recovered_records_total")).isEqualTo(20);
        assertThat(segments()).as("segments wholly written are deleted").isEmpty();
    }

    @Test
    void aCleanStopLeavesNothingWrittenInTheJournalForAStartAgainstAnotherDatabase() throws Exception {
        DatabaseUrl first = TestDatabase.fresh("local_clean_a");
        Storage a = open(first, new Metrics());
        int n = write(a, 20, 0);
        a.close();
        open.remove(a);
        assertThat(TestDatabase.count(first, DISTINCT)).isEqualTo(n);
        assertThat(segments()).as("every record is in the database: nothing is kept").isEmpty();

        // The same data dir against a database made anew (a new database_url, or one recreated):
        // nothing of the first is written into it.
        DatabaseUrl second = TestDatabase.fresh("local_clean_b");
        Metrics metrics = new Metrics();
        Storage b = open(second, metrics);
        assertThat(metrics.value("sluice_journal_local_recovered_records_total")).isZero();
        assertThat(TestDatabase.count(second, SAMPLES)).isZero();
        int m = write(b, 5, 100_000);
        await().atMost(Duration.ofSeconds(60)).until(() -> TestDatabase.count(second, SAMPLES) >= m);
        assertThat(TestDatabase.count(second, DISTINCT)).isEqualTo(m);
    }

    @Test
    void aCleanStopWhileTheFlusherCannotWriteKeepsTheRecords() throws Exception {
        DatabaseUrl url = TestDatabase.fresh("local_clean_paused");
        Storage a = open(url, new Metrics());
        a.journal().pause(true);
        int n = write(a, 10, 0);
        a.journal().halt();
        a.close();
        open.remove(a);
        assertThat(segments()).as("records not in the database stay journaled").isNotEmpty();
        Metrics second = new Metrics();
        open(url, second);
        assertThat(TestDatabase.count(url, DISTINCT)).isEqualTo(n);
        assertThat(TestDatabase.count(url, SAMPLES)).isEqualTo(n);
        assertThat(second.value("sluice_journal_local_recovered_records_total")).isEqualTo(10);
    }

    @Test
    void aTornLastRecordIsNotWrittenAndTheRestIs() throws Exception {
        tornLastRecord("local_torn_cut", f -> f.setLength(f.length() - 7));
    }

    @Test
    void aLastRecordWithAFlippedByteIsNotWrittenAndTheRestIs() throws Exception {
        tornLastRecord("local_torn_flip", f -> {
            f.seek(f.length() - 3);
            int b = f.read();
            f.seek(f.length() - 3);
            f.write(b ^ 0x40);
        });
    }

    private interface Damage {
        void apply(RandomAccessFile f) throws Exception;
    }

    private void tornLastRecord(String db, Damage damage) throws Exception {
        DatabaseUrl url = TestDatabase.fresh(db);
        Storage a = open(url, new Metrics(), 1, JournalConfig.SEGMENT_BYTES);
        a.journal().pause(true);
        int n = write(a, 10, 0);
        kill(a);
        List<Path> files = segments();
        assertThat(files).hasSize(1);
        long before = Files.size(files.get(0));
        try (RandomAccessFile f = new RandomAccessFile(files.get(0).toFile(), "rw")) {
            damage.apply(f);
        }

        Metrics second = new Metrics();
        open(url, second, 1, JournalConfig.SEGMENT_BYTES);
        // The last request's record is lost whole (it was never answered in a real crash), the others land once.
        int kept = n - PER_REQUEST;
        assertThat(TestDatabase.count(url, SAMPLES)).isEqualTo(kept);
        assertThat(TestDatabase.count(url, DISTINCT)).isEqualTo(kept);
        assertThat(TestDatabase.count(url, "SELECT max(value)::bigint FROM samples")).isEqualTo(kept - 1);
        assertThat(second.value("sluice_journal_local_recovered_records_total")).isEqualTo(9);
        assertThat(second.value("sluice_journal_local_torn_records_total")).isEqualTo(1);
        assertThat(before).isGreaterThan(0);
    }

    @Test
    void recordsTheMarkIsAlreadyPastAreNotWrittenTwice() throws Exception {
        DatabaseUrl url = TestDatabase.fresh("local_marked");
        Storage a = open(url, new Metrics(), 1, JournalConfig.SEGMENT_BYTES);
        int first = write(a, 5, 0);
        // Flushed: the mark is past these five records, which stay in the segment still being appended to.
        await().atMost(Duration.ofSeconds(60)).until(() -> TestDatabase.count(url, SAMPLES) == first
                && a.journal().pending() == 0);
        a.journal().pause(true);
        int second = write(a, 5, first);
        kill(a);
        assertThat(segments()).hasSize(1);

        Metrics m = new Metrics();
        open(url, m, 1, JournalConfig.SEGMENT_BYTES);
        assertThat(TestDatabase.count(url, SAMPLES)).isEqualTo(first + second);
        assertThat(TestDatabase.count(url, DISTINCT)).isEqualTo(first + second);
        assertThat(m.value("sluice_journal_local_recovered_records_total")).isEqualTo(5);
    }

    @Test
    void aFlushWhoseCommitAnswerWasLostIsNotWrittenTwice() throws Exception {
        DatabaseUrl direct = TestDatabase.fresh("local_lost_commit");
        try (CommitCuttingProxy proxy = new CommitCuttingProxy(TestDatabase.server().getPort())) {
            DatabaseUrl viaProxy = proxy.via(direct);
            proxy.marker = "sluice_journal_marks".getBytes(StandardCharsets.US_ASCII);
            proxy.onlyWriterCommits = true;
            Metrics metrics = new Metrics();
            Storage s = open(viaProxy, metrics);
            s.journal().pause(true);
            int n = write(s, 10, 0);
            // The flush's COMMIT reaches the server, its answer is lost: the retry must read the marks back.
            proxy.toCut.set(1);
            s.journal().pause(false);
            await().atMost(Duration.ofSeconds(60)).until(() -> proxy.cut.get() == 1 && s.journal().pending() == 0);
            assertThat(TestDatabase.count(direct, SAMPLES)).isEqualTo(n);
            assertThat(TestDatabase.count(direct, DISTINCT)).isEqualTo(n);
            assertThat(metrics.value("sluice_journal_rows_taken_total")).as("records found written by the cut attempt")
                    .isEqualTo(10);
        }
    }

    @Test
    void segmentsRotateAreRecycledOnceWrittenAndWhatRecycledOnesHoldSurvivesACrash() throws Exception {
        DatabaseUrl url = TestDatabase.fresh("local_rotate");
        Metrics metrics = new Metrics();
        // A record of 100 samples is ~2 kB: a segment holds two or three.
        Storage s = open(url, metrics, 1, 4_096);
        int n = write(s, 30, 0);
        await().atMost(Duration.ofSeconds(60)).until(() -> TestDatabase.count(url, SAMPLES) == n
                && s.journal().pending() == 0);
        await().atMost(Duration.ofSeconds(30)).until(() -> segments().size() <= 2);
        assertThat(metrics.value("sluice_journal_local_bytes_total")).isGreaterThan(30L * 2_000);
        List<Path> left = segments();
        // A fresh journal begins at segment 1; three records a segment make ten of them.
        String last = left.get(left.size() - 1).getFileName().toString();
        assertThat(Long.parseLong(last.substring(last.indexOf('-') + 1, last.indexOf('.')))).as(last).isGreaterThanOrEqualTo(8);
        assertThat(TestDatabase.count(url, DISTINCT)).isEqualTo(n);

        // Every segment but the one being appended to is released, one of them is the spare now:
        // the next segments are begun in released segments' files, over their old records.
        s.journal().pause(true);
        int more = write(s, 10, n);
        assertThat(metrics.value("sluice_journal_local_segments_total", "from", "recycled"))
                .as("segments begun in a released segment's file").isPositive();
        kill(s);
        Metrics m = new Metrics();
        open(url, m, 1, 4_096);
        assertThat(TestDatabase.count(url, SAMPLES)).isEqualTo(n + more);
        assertThat(TestDatabase.count(url, DISTINCT)).isEqualTo(n + more);
        assertThat(m.value("sluice_journal_local_recovered_records_total")).isEqualTo(10);
        assertThat(m.value("sluice_journal_local_torn_records_total")).isZero();
    }

    private interface FileChange {
        void apply() throws Exception;
    }

    /**
     * Ten acknowledged records of 100 samples in 4 kB segments, never flushed, the process killed
     * (segments 1-3 hold three records each, segment 4 one), the files then changed as a crash at
     * some point with spares could leave them: a start writes every acknowledged sample once,
     * takes nothing for a torn record, and deletes every segment.
     */
    private void recoveredOnceAfter(String db, FileChange change) throws Exception {
        DatabaseUrl url = TestDatabase.fresh(db);
        Storage a = open(url, new Metrics(), 1, 4_096);
        a.journal().pause(true);
        int n = write(a, 10, 0);
        kill(a);
        assertThat(segments()).hasSize(4);
        change.apply();
        Metrics m = new Metrics();
        open(url, m, 1, 4_096);
        assertThat(TestDatabase.count(url, SAMPLES)).isEqualTo(n);
        assertThat(TestDatabase.count(url, DISTINCT)).isEqualTo(n);
        assertThat(m.value("sluice_journal_local_recovered_records_total")).isEqualTo(10);
        assertThat(m.value("sluice_journal_local_torn_records_total")).as("nothing taken for a torn record").isZero();
        assertThat(segments()).isEmpty();
    }

    private Path segment(long number) {
        return dir.resolve("journal").resolve(String.format("w0-%012d.journal", number));
    }

    @Test
    void aRecycledSegmentsOldRecordsPastTheNewEndAreNotReplayed() throws Exception {
        recoveredOnceAfter("local_recycled_tail", () -> {
            // Segment 4 as if begun in segment 1's recycled file: its one record, then segment 1's
            // second and third records where they were, whole and passing their CRC.
            byte[] old = Files.readAllBytes(segment(1));
            assertThat(old.length % 3).as("segment 1 grew to its three records' end").isZero();
            int record = old.length / 3;
            try (RandomAccessFile f = new RandomAccessFile(segment(4).toFile(), "rw")) {
                f.seek(record);
                f.write(old, record, old.length - record);
            }
        });
    }

    @Test
    void aCrashRightAfterRotationIntoARecycledSegmentLosesAndRepeatsNothing() throws Exception {
        // Segment 5 renamed from segment 1's recycled file, its name synced, no record in it yet.
        recoveredOnceAfter("local_rotated_recycled", () -> Files.copy(segment(1), segment(5)));
    }

    @Test
    void aCrashRightAfterRotationIntoAZeroFilledSegmentLosesNothing() throws Exception {
        recoveredOnceAfter("local_rotated_zeroed", () -> Files.write(segment(5), new byte[4_096]));
    }

    @Test
    void aZeroFilledTailEndsOnlyItsSegment() throws Exception {
        // Segment 1 as a zero-filled spare leaves it: its records, then zeros to the file's end.
        recoveredOnceAfter("local_zero_tail", () -> {
            try (RandomAccessFile f = new RandomAccessFile(segment(1).toFile(), "rw")) {
                f.setLength(f.length() + 3_000);
            }
        });
    }

    @Test
    void aSecondStorageOnTheSameDataDirIsRefused() throws Exception {
        DatabaseUrl url = TestDatabase.fresh("local_lock_same");
        open(url, new Metrics());
        assertThatThrownBy(() -> Storage.open(config(url, 2, JournalConfig.SEGMENT_BYTES), new Metrics()))
                .isInstanceOf(SQLException.class)
                .hasMessageContaining("is in use by another Sluice process");
    }

    @Test
    void aSecondProcessOnTheSameDataDirIsRefused() throws Exception {
        DatabaseUrl url = TestDatabase.fresh("local_lock_process");
        String java = ProcessHandle.current().info().command().orElse("java");
        Process other = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                JournalLockHolder.class.getName(), dir.resolve("journal").toString()).redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(other.getInputStream(), StandardCharsets.UTF_8));
            String line;
            while ((line = out.readLine()) != null && !line.startsWith("locked")) {
                // JVM warnings, if any
            }
            assertThat(line).as("the other process took the lock").startsWith("locked");
            assertThatThrownBy(() -> Storage.open(config(url, 2, JournalConfig.SEGMENT_BYTES), new Metrics()))
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("is in use by another Sluice process");
        } finally {
            other.getOutputStream().close();
            if (!other.waitFor(30, TimeUnit.SECONDS)) {
                other.destroyForcibly();
            }
        }
        // Its lock gone with it, a start goes ahead.
        open(url, new Metrics());
    }
}
