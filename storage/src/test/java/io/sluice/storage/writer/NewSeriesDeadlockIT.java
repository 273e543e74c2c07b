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
 * Two writers registering the same new series in opposite orders used to wait
 * on each other's uncommitted rows of {@code series} and deadlock (40P01, retried after
 * PostgreSQL's one-second deadlock timeout). Keys are now inserted in one total order.
 */
class NewSeriesDeadlockIT {
    @Test
    void twoWritersRegisteringOverlappingNewSeriesNeverDeadlock() throws Exception {
        DatabaseUrl url = TestDatabase.fresh("deadlock");
        Metrics metrics = new Metrics();
        try (Storage storage = Storage.open(TestDatabase.storageConfig(url, 2, 100_000), metrics)) {
            storage.start();
            long now = Instant.now().toEpochMilli() * 1000;
            int rounds = 40;
            int keys = 200;
            List<CompletableFuture<String>> acks = new ArrayList<>();
            for (int r = 0; r < rounds; r++) {
                // One request per writer, the same new series in opposite orders, published together.
                SampleBatch up = new SampleBatch(keys);
                SampleBatch down = new SampleBatch(keys);
                for (int i = 0; i < keys; i++) {
                    up.add(SampleEvent.UNRESOLVED, pending(storage, r, i), now + i, i, SampleSink.NO_STEP);
                    down.add(SampleEvent.UNRESOLVED, pending(storage, r, keys - 1 - i), now + i, keys - 1 - i,
                            SampleSink.NO_STEP);
                }
                CompletableFuture<String> a = publish(storage, up);
                CompletableFuture<String> b = publish(storage, down);
                assertThat(a.get(30, TimeUnit.SECONDS)).isEqualTo("ok");
                assertThat(b.get(30, TimeUnit.SECONDS)).isEqualTo("ok");
                acks.add(a);
            }
            assertThat(metrics.value("sluice_write_batch_failures_total")).as("failed attempts (40P01)").isZero();
            assertThat(metrics.value("sluice_write_retries_total")).isZero();
            assertThat(TestDatabase.count(url, "SELECT count(*) FROM series")).isEqualTo((long) rounds * keys);
            assertThat(TestDatabase.count(url, "SELECT count(*) FROM samples")).isEqualTo(2L * rounds * keys);
        }
    }

    private static SeriesKey pending(Storage storage, int round, int i) {
        return storage.registry().pending(SeriesKey.of("dl", Map.of("round", Integer.toString(round),
                "i", Integer.toString(i))));
    }

    private static CompletableFuture<String> publish(Storage storage, SampleBatch batch) {
        return Writes.request(storage, batch);
    }
}
