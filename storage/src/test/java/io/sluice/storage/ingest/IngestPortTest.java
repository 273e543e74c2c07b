package io.sluice.storage.ingest;

import com.lmax.disruptor.EventHandler;
import io.sluice.codec.SampleSink;
import io.sluice.storage.metrics.Metrics;
import io.sluice.storage.ring.SampleBatch;
import io.sluice.storage.ring.SampleEvent;
import io.sluice.storage.ring.SampleRing;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The ingest port over a real ring whose one consumer records slots and can be held back. */
class IngestPortTest {
    private final Metrics metrics = new Metrics();
    private final Recorder consumer = new Recorder();
    private final SampleRing ring = new SampleRing(64, 5);
    private final IngestPort port = new IngestPort(ring, metrics);

    IngestPortTest() {
        ring.addConsumer(consumer);
        ring.start();
    }

    @AfterEach
    void stop() {
        consumer.gate.countDown();
        ring.drainAndStop(5, TimeUnit.SECONDS);
    }

    @Test
    void bestEffortPublishesEverySampleWhileThereIsRoomInOrder() {
        consumer.gate.countDown();
        SampleBatch b = batch(0, 5000);
        assertThat(port.publishBestEffort(b)).isEqualTo(5000);
        assertThat(b.size()).as("left for the caller to clear").isEqualTo(5000);
        await().atMost(java.time.Duration.ofSeconds(10)).until(() -> consumer.values().size() == 5000);
        assertThat(consumer.values()).isEqualTo(values(0, 5000));
        assertThat(consumer.acknowledgedSlots).isZero();
        assertThat(metrics.value("sluice_samples_dropped_total", "reason", "ring_full")).isZero();
    }

    @Test
    void bestEffortDropsAndCountsWhatFindsNoRoom() {
        // 64 slots of 256: 16,384 samples fit while the consumer is held.
        assertThat(port.publishBestEffort(batch(0, 20_000))).isEqualTo(16_384);
        assertThat(metrics.value("sluice_samples_dropped_total", "reason", "ring_full")).isEqualTo(20_000 - 16_384);
    }

    @Test
    void stagingPredicatesFollowTheSlotAndClaimSizes() {
        assertThat(port.fillsSlot(batch(0, 255))).isFalse();
        assertThat(port.fillsSlot(batch(0, 256))).isTrue();
        assertThat(port.stagingFull(batch(0, 4095))).isFalse();
        assertThat(port.stagingFull(batch(0, 4096))).isTrue();
    }

    @Test
    void anAcknowledgedRequestIsPublishedWholeOrNotAtAllAndCanBeRetriedWithTheCallersBatchReused() throws Exception {
        assertThat(port.publishBestEffort(batch(-1, 40 * 256))).isEqualTo(40 * 256); // 40 of 64 slots taken
        SampleBatch staging = batch(0, 30 * 256); // 30 slots: does not fit in the 24 left
        List<String> outcomes = new ArrayList<>();
        AcknowledgedWrite w = port.acknowledged(staging, (o, r) -> outcomes.add(o + ":" + r));
        assertThat(w.tryPublish()).isEqualTo(AcknowledgedWrite.Publish.RING_FULL);
        assertThat(ring.occupancy()).as("not one slot of the request").isEqualTo(40);
        staging.clear(); // the event loop reuses its batch for the next request
        staging.add(1, null, 1, 999, SampleSink.NO_STEP);

        consumer.gate.countDown();
        await().atMost(java.time.Duration.ofSeconds(10)).until(() -> ring.occupancy() == 0);
        assertThat(w.tryPublish()).isEqualTo(AcknowledgedWrite.Publish.PUBLISHED);
        await().atMost(java.time.Duration.ofSeconds(10)).until(() -> consumer.values().size() == 70 * 256);
        assertThat(consumer.values().subList(40 * 256, 70 * 256)).isEqualTo(values(0, 30 * 256));
        assertThat(consumer.acknowledgedSlots).isEqualTo(30);
        assertThat(consumer.requestEnds).as("only the last slot ends the request").isEqualTo(1);
        assertThat(outcomes).as("nothing commits in this test").isEmpty();
    }

    @Test
    void aRequestOverHalfTheRingIsRefusedWholeAndAnEmptyOneCommitsAtOnce() {
        consumer.gate.countDown();
        assertThat(port.maxRequestSamples()).isEqualTo(32 * 256);
        AcknowledgedWrite big = port.acknowledged(batch(0, 32 * 256 + 1), (o, r) -> { });
        assertThat(big.tryPublish()).isEqualTo(AcknowledgedWrite.Publish.TOO_LARGE);
        assertThat(ring.occupancy()).isZero();

        List<WriteOutcome> outcomes = new ArrayList<>();
        AcknowledgedWrite empty = port.acknowledged(new SampleBatch(1), (o, r) -> outcomes.add(o));
        assertThat(empty.tryPublish()).isEqualTo(AcknowledgedWrite.Publish.PUBLISHED);
        assertThat(outcomes).containsExactly(WriteOutcome.COMMITTED);
    }

    private static SampleBatch batch(int tag, int n) {
        SampleBatch b = new SampleBatch(n);
        for (int i = 0; i < n; i++) {
            b.add(1, null, 1, tag < 0 ? -1 : i, SampleSink.NO_STEP);
        }
        return b;
    }

    private static List<Double> values(int from, int to) {
        List<Double> v = new ArrayList<>();
        for (int i = from; i < to; i++) {
            v.add((double) i);
        }
        return v;
    }

    /** Records every slot's values; waits on {@link #gate} before the first, to hold the ring full. */
    private static final class Recorder implements EventHandler<SampleEvent> {
        final CountDownLatch gate = new CountDownLatch(1);
        private final List<Double> seen = new ArrayList<>();
        volatile int acknowledgedSlots;
        volatile int requestEnds;

        @Override
        public void onEvent(SampleEvent e, long sequence, boolean endOfBatch) throws InterruptedException {
            gate.await();
            synchronized (seen) {
                for (int i = 0; i < e.count; i++) {
                    seen.add(e.values[i]);
                }
            }
            if (e.ack != null) {
                acknowledgedSlots++;
            }
            if (e.endsRequest) {
                requestEnds++;
            }
        }

        List<Double> values() {
            synchronized (seen) {
                return new ArrayList<>(seen);
            }
        }
    }
}
