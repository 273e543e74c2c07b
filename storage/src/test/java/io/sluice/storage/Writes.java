package io.sluice.storage;

import io.sluice.storage.ingest.AcknowledgedWrite;
import io.sluice.storage.ring.SampleBatch;

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
}
