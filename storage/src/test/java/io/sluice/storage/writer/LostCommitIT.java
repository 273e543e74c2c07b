package io.sluice.storage.writer;

import io.sluice.codec.SampleSink;
import io.sluice.codec.SeriesKey;
import io.sluice.storage.Storage;
import io.sluice.storage.TestDatabase;
import io.sluice.storage.Writes;
import io.sluice.storage.db.DatabaseUrl;
import io.sluice.storage.metrics.Metrics;
import io.sluice.storage.ring.SampleBatch;
import io.sluice.storage.ring.SampleEvent;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A COMMIT whose answer is lost may have happened. The writer finds out on its
 * next attempt (the batch's number in {@code sluice_write_batches}) and never writes it twice.
 */
class LostCommitIT {
    @Test
    void aBatchWhoseCommitAnswerWasLostIsStoredOnceAndAcknowledged() throws Exception {
        DatabaseUrl direct = TestDatabase.fresh("lost_commit");
        try (CommitCuttingProxy proxy = new CommitCuttingProxy(TestDatabase.server().getPort())) {
            DatabaseUrl viaProxy = proxy.via(direct);
            Metrics metrics = new Metrics();
            try (Storage storage = Storage.open(TestDatabase.storageConfig(viaProxy, 2, 100_000), metrics)) {
                storage.start();
                SeriesKey key = SeriesKey.of("lost", Map.of());
                assertThat(Writes.request(storage, batch(storage, key, 0, 10)).get(30, TimeUnit.SECONDS)).isEqualTo("ok");

                int cuts = 12;
                int requests = 40;
                proxy.toCut.set(cuts);
                List<CompletableFuture<String>> acks = new ArrayList<>();
                for (int r = 1; r <= requests; r++) {
                    acks.add(Writes.request(storage, batch(storage, key, r * 1000, 500)));
                    if (r % 4 == 0) {
                        // A few at a time, so some batches hold several requests.
                        for (CompletableFuture<String> a : acks) {
                            assertThat(a.get(60, TimeUnit.SECONDS)).isEqualTo("ok");
                        }
                    }
                }
                for (CompletableFuture<String> a : acks) {
                    assertThat(a.get(60, TimeUnit.SECONDS)).isEqualTo("ok");
                }
                assertThat(TestDatabase.count(direct, "SELECT count(DISTINCT value) FROM samples WHERE value >= 1000"))
                        .as("every acknowledged sample").isEqualTo(40L * 500);
                assertThat(TestDatabase.count(direct, "SELECT count(*) FROM samples WHERE value >= 1000"))
                        .as("each once").isEqualTo(40L * 500);
                assertThat(proxy.cut.get()).as("COMMIT answers lost").isEqualTo(cuts);
                // Most cuts hit a writer's COMMIT; one may hit another session's (partitions made ahead).
                assertThat(metrics.value("sluice_write_commit_unknown_total", "outcome", "committed")
                        + metrics.value("sluice_write_commit_unknown_total", "outcome", "rolled_back"))
                        .isBetween(cuts / 2L, (long) cuts);
                assertThat(metrics.value("sluice_write_commit_unknown_total", "outcome", "committed")).isPositive();
            }
        }
    }

    private static SampleBatch batch(Storage storage, SeriesKey key, int from, int n) {
        long now = Instant.now().toEpochMilli() * 1000;
        int id = storage.registry().idOf(key);
        SampleBatch b = new SampleBatch(n);
        for (int i = from; i < from + n; i++) {
            b.add(id < 0 ? SampleEvent.UNRESOLVED : id, id < 0 ? storage.registry().pending(key) : null,
                    now + i, i, SampleSink.NO_STEP);
        }
        return b;
    }
}
