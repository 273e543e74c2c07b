package io.sluice.storage.ingest;

/** Hears once how an acknowledged request ended; called on a writer thread (or the publisher's). */
@FunctionalInterface
public interface WriteListener {
    /**
     * @param outcome how it ended
     * @param reason  why it failed, or null when committed
     */
    void done(WriteOutcome outcome, String reason);
}
