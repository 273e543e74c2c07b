package io.sluice.storage.query;

import io.sluice.storage.Storage;
import io.sluice.storage.TestDatabase;
import io.sluice.storage.db.DatabaseUrl;
import io.sluice.storage.metrics.Metrics;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** What a writer batch records for the rollups, and what the refresh takes. */
class RollupInvalidationsIT {
    private static final long MINUTE = 60_000_000L;
    private static DatabaseUrl url;
    private static Storage storage;
    private final RollupInvalidations log = new RollupInvalidations(new RollupMetrics(new Metrics()));

    @BeforeAll
    static void open() throws Exception {
        url = TestDatabase.fresh("invalidations");
        storage = Storage.open(TestDatabase.storageConfig(url, 1, 100), new Metrics());
    }

    @AfterAll
    static void close() {
        storage.close();
    }

    private int record(long[] times, int[] ids, long now) throws Exception {
        try (Connection c = TestDatabase.connect(url)) {
            return log.record(c, times, ids, times.length, now);
        }
    }

    private BucketRanges take() throws Exception {
        try (Connection c = TestDatabase.connect(url)) {
            c.setAutoCommit(false);
            BucketRanges r = RollupInvalidations.take(c);
            c.commit();
            return r;
        }
    }

    @Test
    void liveSamplesRecordNothingAndLateOnesTheirMinutes() throws Exception {
        long now = Instant.now().toEpochMilli() * 1000 / MINUTE * MINUTE + 30_000_000L;
        assertThat(record(new long[] {now, now - 90_000_000L, now + MINUTE}, new int[] {1, 1, 1}, now)).isZero();
        assertThat(TestDatabase.count(url, "SELECT count(*) FROM rollup_invalidations")).isZero();

        long tenMinutes = now - 10 * MINUTE;
        long days = now - 3 * 1_440 * MINUTE;
        long[] times = {tenMinutes, tenMinutes + 5_000_000L, tenMinutes + MINUTE, days, now, days - 7 * MINUTE};
        // The last row's series could not be registered: it is not written, so not recorded.
        assertThat(record(times, new int[] {1, 2, 3, 1, 1, -1}, now)).isEqualTo(2);
        long m = Rollups.floor(tenMinutes, MINUTE);
        long d = Rollups.floor(days, MINUTE);
        assertThat(take()).isEqualTo(BucketRanges.ofPairs(new long[] {d, d + MINUTE, m, m + 2 * MINUTE}, 2));
        assertThat(take().isEmpty()).isTrue();
    }

    @Test
    void aBatchSpreadOverManyMinutesIsCoalescedIntoFewRanges() throws Exception {
        long now = Instant.now().toEpochMilli() * 1000;
        long[] times = new long[10_000];
        int[] ids = new int[times.length];
        for (int i = 0; i < times.length; i++) {
            times[i] = now - 40L * 1_440 * MINUTE + (i * 7919L % 14_400) * 3 * MINUTE; // 30 days, 3-minute grid
            ids[i] = 1;
        }
        int ranges = record(times, ids, now);
        assertThat(ranges).isBetween(1, RollupInvalidations.MAX_RANGES);
        BucketRanges taken = take();
        assertThat(taken.size()).isEqualTo(ranges);
        // Coarser, never narrower: every sample's minute is covered.
        for (long t : times) {
            assertThat(taken.clamp(Rollups.floor(t, MINUTE), Rollups.floor(t, MINUTE) + MINUTE).buckets(MINUTE)).isEqualTo(1);
        }
    }

    @Test
    void takenRangesComeBackWhenTheRefreshRollsBack() throws Exception {
        long now = Instant.now().toEpochMilli() * 1000;
        record(new long[] {now - 60 * MINUTE}, new int[] {1}, now);
        try (Connection c = TestDatabase.connect(url)) {
            c.setAutoCommit(false);
            assertThat(RollupInvalidations.take(c).size()).isEqualTo(1);
            c.rollback();
        }
        assertThat(take().size()).isEqualTo(1);
    }
}
