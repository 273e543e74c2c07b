package io.sluice.storage.writer;

import io.sluice.codec.SampleSink;
import io.sluice.codec.SeriesKey;
import io.sluice.storage.Storage;
import io.sluice.storage.TestDatabase;
import io.sluice.storage.Writes;
import io.sluice.storage.db.DatabaseUrl;
import io.sluice.storage.ingest.AcknowledgedWrite;
import io.sluice.storage.ingest.WriteOutcome;
import io.sluice.storage.metrics.Metrics;
import io.sluice.storage.ring.SampleBatch;
import io.sluice.storage.ring.SampleEvent;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Every sample of one acknowledged request is committed by one writer in one
 * transaction, so a request is stored whole or not at all.
 */
class WholeRequestCommitIT {
    @Test
    void aRequestSpanningSeveralSlotsIsStoredWholeOrNotAtAllWhenItsCommitFails() throws Exception {
        DatabaseUrl url = TestDatabase.fresh("whole_commit");
        try (Storage storage = Storage.open(TestDatabase.storageConfig(url, 2, 100_000), new Metrics())) {
            // The database refuses one row of the request's second slot (value 300), every time.
            try (Connection c = TestDatabase.connect(url); Statement st = c.createStatement()) {
                st.execute("CREATE FUNCTION refuse_300() RETURNS trigger LANGUAGE plpgsql AS"
                        + " $$ BEGIN IF 300 = ANY (NEW.vals) THEN RAISE EXCEPTION 'refused for the test'; END IF;"
                        + " RETURN NEW; END $$");
                st.execute("CREATE TRIGGER refuse_300 BEFORE INSERT ON " + TestDatabase.BLOCKS
                        + " FOR EACH ROW EXECUTE FUNCTION refuse_300()");
            }
            storage.start();
            SeriesKey key = storage.registry().pending(SeriesKey.of("whole", Map.of()));
            // 1,000 samples: four slots. Dealt out slot by slot, two went to each writer, and the
            // writer holding slots 1 and 3 failed while the other committed 512 rows.
            CompletableFuture<String> refused = Writes.request(storage, batch(key, 0, 1000));
            assertThat(refused.get(30, TimeUnit.SECONDS)).startsWith("FAILED");
            CompletableFuture<String> fine = Writes.request(storage, batch(key, 1000, 1000));
            assertThat(fine.get(30, TimeUnit.SECONDS)).isEqualTo("ok");
            assertThat(TestDatabase.count(url, "SELECT count(*) FROM samples WHERE value < 1000")).isZero();
            assertThat(TestDatabase.count(url, "SELECT count(*) FROM samples WHERE value >= 1000")).isEqualTo(1000);
        }
    }

    @Test
    void aWithdrawalWhileTheCommitIsUnderWayWaitsForItsOutcome() throws Exception {
        DatabaseUrl url = TestDatabase.fresh("withdraw_late");
        try (Storage storage = Storage.open(TestDatabase.storageConfig(url, 1, 100_000), new Metrics())) {
            // Every COPY into samples takes two seconds: the commit is under way meanwhile.
            try (Connection c = TestDatabase.connect(url); Statement st = c.createStatement()) {
                st.execute("CREATE FUNCTION slow() RETURNS trigger LANGUAGE plpgsql AS"
                        + " $$ BEGIN PERFORM pg_sleep(2); RETURN NULL; END $$");
                st.execute("CREATE TRIGGER slow BEFORE INSERT ON " + TestDatabase.BLOCKS + " FOR EACH STATEMENT EXECUTE FUNCTION slow()");
            }
            storage.start();
            SeriesKey key = storage.registry().pending(SeriesKey.of("late", Map.of()));
            CompletableFuture<WriteOutcome> outcome = new CompletableFuture<>();
            AcknowledgedWrite w = storage.ingest().acknowledged(batch(key, 0, 300), (o, r) -> outcome.complete(o));
            assertThat(w.tryPublish()).isEqualTo(AcknowledgedWrite.Publish.PUBLISHED);
            await().atMost(Duration.ofSeconds(20)).until(() -> TestDatabase.count(url,
                    "SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'COPY samples%' AND state = 'active'") > 0);
            assertThat(w.withdraw()).as("too late: a commit holds it").isFalse();
            assertThat(outcome.get(30, TimeUnit.SECONDS)).isEqualTo(WriteOutcome.COMMITTED);
            assertThat(TestDatabase.count(url, "SELECT count(*) FROM samples")).isEqualTo(300);
        }
    }

    private static SampleBatch batch(SeriesKey key, int from, int n) {
        long now = Instant.now().toEpochMilli() * 1000;
        SampleBatch b = new SampleBatch(n);
        for (int i = from; i < from + n; i++) {
            b.add(SampleEvent.UNRESOLVED, key, now + i, i, SampleSink.NO_STEP);
        }
        return b;
    }
}
