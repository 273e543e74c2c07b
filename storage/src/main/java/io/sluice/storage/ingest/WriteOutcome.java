package io.sluice.storage.ingest;

/** How an acknowledged request ended. */
public enum WriteOutcome {
    /** Every sample of the request is committed. */
    COMMITTED,
    /**
     * The writers gave up on the request: the database refused it (nothing of it is stored), or
     * a shutdown ran out of time (stored whole or not at all).
     */
    FAILED,
    /** Withdrawn at its caller's wish before any commit included it: nothing of it is stored. */
    WITHDRAWN
}
