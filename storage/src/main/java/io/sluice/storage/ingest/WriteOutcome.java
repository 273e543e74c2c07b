package io.sluice.storage.ingest;

/** How an acknowledged request ended. */
public enum WriteOutcome {
    /** Every sample of the request is committed. */
    COMMITTED,
    /** The writers gave up on the request (the database refused it, or shutdown ran out of time). */
    FAILED
}
