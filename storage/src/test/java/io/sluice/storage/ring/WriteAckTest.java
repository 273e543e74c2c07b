package io.sluice.storage.ring;

import io.sluice.storage.ingest.WriteOutcome;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/** The request's state between the event loop that waits and the writer that commits. */
class WriteAckTest {
    private final List<WriteOutcome> heard = new CopyOnWriteArrayList<>();
    private final WriteAck ack = new WriteAck((o, r) -> heard.add(o));

    @Test
    void aQueuedRequestIsWithdrawnAtOnceAndNoWriterCanClaimItAfter() {
        assertThat(ack.withdraw()).isTrue();
        assertThat(heard).containsExactly(WriteOutcome.WITHDRAWN);
        assertThat(ack.claim()).isFalse();
        ack.failed("late");
        assertThat(heard).containsExactly(WriteOutcome.WITHDRAWN);
    }

    @Test
    void aWithdrawalDuringACommitThatSucceedsEndsCommitted() {
        assertThat(ack.claim()).isTrue();
        assertThat(ack.withdraw()).as("the commit is under way").isFalse();
        assertThat(heard).isEmpty();
        ack.committed();
        assertThat(heard).containsExactly(WriteOutcome.COMMITTED);
    }

    @Test
    void aWithdrawalDuringACommitThatRollsBackTakesEffectWhenReleased() {
        assertThat(ack.claim()).isTrue();
        assertThat(ack.withdraw()).isFalse();
        ack.release();
        assertThat(heard).containsExactly(WriteOutcome.WITHDRAWN);
        assertThat(ack.claim()).isFalse();
    }

    @Test
    void aReleasedRequestWithNoWithdrawalIsClaimedAgainAndFailsOnce() {
        assertThat(ack.claim()).isTrue();
        ack.release();
        assertThat(heard).isEmpty();
        assertThat(ack.claim()).isTrue();
        ack.failed("refused");
        ack.failed("again");
        ack.committed();
        assertThat(heard).containsExactly(WriteOutcome.FAILED);
    }

    @Test
    void raceOfWithdrawalAgainstClaimReleaseAndCommitEndsExactlyOnceAndConsistently() throws Exception {
        for (int round = 0; round < 5_000; round++) {
            List<WriteOutcome> outcomes = new CopyOnWriteArrayList<>();
            WriteAck a = new WriteAck((o, r) -> outcomes.add(o));
            boolean commits = round % 2 == 0;
            CyclicBarrier start = new CyclicBarrier(2);
            AtomicBoolean withdrawn = new AtomicBoolean();
            Thread loop = new Thread(() -> {
                await(start);
                withdrawn.set(a.withdraw());
            });
            loop.start();
            await(start);
            boolean claimed = a.claim();
            if (claimed) {
                if (commits) {
                    a.committed();
                } else {
                    a.release();
                }
            }
            loop.join();
            if (!claimed) {
                assertThat(withdrawn).isTrue();
            }
            assertThat(outcomes).hasSize(1);
            assertThat(outcomes.get(0)).isEqualTo(claimed && commits ? WriteOutcome.COMMITTED : WriteOutcome.WITHDRAWN);
        }
    }

    private static void await(CyclicBarrier b) {
        try {
            b.await();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
