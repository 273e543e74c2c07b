package io.sluice.storage.ring;

import io.sluice.storage.ingest.WriteListener;
import io.sluice.storage.ingest.WriteOutcome;
import io.sluice.storage.writer.UnknownCommit;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The state of one acknowledged request, shared by the event loop that received it and the
 * writer that commits it, so that the request is committed whole or not at all, and its
 * listener hears exactly once how it ended (README, "Answers").
 *
 * <pre>
 *  QUEUED --claim()--> CLAIMED --committed()--> DONE (committed)
 *    ^                    |
 *    +----release()-------+   (the attempt failed and surely rolled back)
 *  QUEUED --withdraw()--> DONE (withdrawn: nothing of it is or will be stored)
 *  any but DONE --failed()--> DONE (failed)
 *  any but DONE --refused()--> DONE (refused: the database refused a value of it)
 * </pre>
 * A withdrawal asked while a commit attempt holds the request takes effect when the writer
 * releases it; if that attempt commits, the request is committed.
 */
public final class WriteAck {
    private static final int QUEUED = 0;
    private static final int CLAIMED = 1;
    private static final int DONE = 2;

    private final AtomicInteger state = new AtomicInteger(QUEUED);
    private final WriteListener listener;
    private volatile boolean withdrawWanted;
    /** Set when it failed as part of a batch whose COMMIT went unanswered: stored whole or not at all. */
    private volatile UnknownCommit unknown;

    public WriteAck(WriteListener listener) {
        this.listener = listener;
    }

    /**
     * The caller gives up waiting (timeout, client gone). Returns true if the request was
     * withdrawn now (the listener has heard WITHDRAWN); false if a commit attempt holds it (the
     * listener will hear how that ends) or it already ended.
     */
    public boolean withdraw() {
        withdrawWanted = true;
        return finish(QUEUED, WriteOutcome.WITHDRAWN, "withdrawn before it was committed");
    }

    /** A writer includes the request in a commit attempt; false if it was withdrawn or ended. */
    public boolean claim() {
        return state.compareAndSet(QUEUED, CLAIMED);
    }

    /** The attempt holding the request failed and surely rolled back: it may be claimed again. */
    public void release() {
        if (state.compareAndSet(CLAIMED, QUEUED) && withdrawWanted) {
            finish(QUEUED, WriteOutcome.WITHDRAWN, "withdrawn before it was committed");
        }
    }

    /** The attempt holding the request committed. */
    public void committed() {
        finish(CLAIMED, WriteOutcome.COMMITTED, null);
    }

    /** Nothing of the request is stored, for a cause that may pass (answered 503: retry later). */
    public void unavailable(String reason) {
        end(WriteOutcome.UNAVAILABLE, reason);
    }

    /** The writers gave up on the request; nothing of it is stored (or, on a halted shutdown, unknown). */
    public void failed(String reason) {
        end(WriteOutcome.FAILED, reason);
    }

    /**
     * The writers gave up on the request after a COMMIT holding it went unanswered: it is stored
     * whole or not at all, and {@code unknown} learns which.
     */
    public void failed(String reason, UnknownCommit unknown) {
        this.unknown = unknown; // before the listener hears it
        end(WriteOutcome.FAILED, reason);
    }

    /** The batch whose unanswered COMMIT held it, when it failed that way; null otherwise. */
    public UnknownCommit unknownCommit() {
        return unknown;
    }

    /** The database refused a value of the request; nothing of it is stored. */
    public void refused(String reason) {
        end(WriteOutcome.REFUSED, reason);
    }

    /** Ends the request from whatever state it is in, unless it has ended already. */
    private void end(WriteOutcome outcome, String reason) {
        int s;
        while ((s = state.get()) != DONE) {
            if (finish(s, outcome, reason)) {
                return;
            }
        }
    }

    public boolean isDone() {
        return state.get() == DONE;
    }

    private boolean finish(int from, WriteOutcome outcome, String reason) {
        if (!state.compareAndSet(from, DONE)) {
            return false;
        }
        listener.done(outcome, reason);
        return true;
    }
}
