package io.sluice.storage.ingest;

/** How an acknowledged request ended. */
public enum WriteOutcome {
    /** Every sample of the request is committed. */
    COMMITTED,
    /**
     * The writers gave up on the request: the database refused it (nothing of it is stored), or
     * a shutdown ran out of time, or a COMMIT holding it went unanswered and the writer could not
     * learn how it ended (stored whole or not at all: {@link AcknowledgedWrite#unknownCommit()}).
     */
    FAILED,
    /**
     * The database refused a value of the request (SQLSTATE class 22, data exception, or 23,
     * integrity violation): nothing of it is stored, the rest of its batch is, and sending it
     * again fails the same way.
     */
    REFUSED,
    /**
     * Nothing of the request is stored, for a cause of Sluice's own that may pass (a journal file
     * could not be written, {@code write_ack = local}): answered 503, a retry may succeed.
     */
    UNAVAILABLE,
    /** Withdrawn at its caller's wish before any commit included it: nothing of it is stored. */
    WITHDRAWN
}
