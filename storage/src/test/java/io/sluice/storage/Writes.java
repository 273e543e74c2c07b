package io.sluice.storage;

import io.sluice.codec.SampleSink;
import io.sluice.codec.SeriesKey;
import io.sluice.storage.ingest.AcknowledgedWrite;
import io.sluice.storage.ring.SampleBatch;
import io.sluice.storage.ring.SampleEvent;

import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/** Acknowledged writes for tests, through the ingest port as a protocol would publish them. */
public final class Writes {
    private Writes() {
    }

    /**
     * Publishes {@code batch} as one acknowledged request (the ring must have room).
     *
     * @return completes with "ok" once committed, else with the failure's reason
     */
    public static CompletableFuture<String> request(Storage storage, SampleBatch batch) {
        CompletableFuture<String> done = new CompletableFuture<>();
        AcknowledgedWrite w = storage.ingest().acknowledged(batch,
                (outcome, reason) -> done.complete(reason == null ? "ok" : outcome + ": " + reason));
        assertThat(w.tryPublish()).isEqualTo(AcknowledgedWrite.Publish.PUBLISHED);
        return done;
    }

    /** Adds a sample of the series to the batch, registering the series as pending when it is new. */
    public static void add(Storage storage, SampleBatch batch, SeriesKey key, long timeMicros, double value) {
        int id = storage.registry().idOf(key);
        batch.add(id < 0 ? SampleEvent.UNRESOLVED : id, id < 0 ? storage.registry().pending(key) : null, timeMicros,
                value, SampleSink.NO_STEP);
    }

    /** One sample as one acknowledged request. */
    public static CompletableFuture<String> one(Storage storage, SeriesKey key, long timeMicros, double value) {
        SampleBatch batch = new SampleBatch(1);
        add(storage, batch, key, timeMicros, value);
        return request(storage, batch);
    }
}
