package io.sluice.agent.send;

import java.util.concurrent.atomic.AtomicLong;

/** What the sender did since start, for the agent's log line each minute. */
public final class SendStats {
    /** Samples the server acknowledged as stored. */
    public final AtomicLong sent = new AtomicLong();
    /** Samples the server refused (400): not sent again. */
    public final AtomicLong rejected = new AtomicLong();
    /** Samples found already stored after a lost answer, so not sent again. */
    public final AtomicLong alreadyStored = new AtomicLong();
    /** Requests that failed (no connection, refused, timed out, 5xx). */
    public final AtomicLong failedRequests = new AtomicLong();
    public volatile String lastError = "";
}
