package io.sluice.agent.send;

import io.sluice.agent.collect.Sample;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Sends the buffer's samples, oldest first, in batches; on its own thread so that a slow
 * server never delays collection. What happens to a batch depends on the answer
 * ({@link Outcome}): settled samples leave the buffer, the others are retried after a backoff
 * (doubling from 1 s up to {@code maxBackoff}, with jitter). Each write carries an
 * {@code Idempotency-Key}, the same for as long as the same samples are sent again, so Sluice
 * stores them once even while an earlier send of them is still in progress there (it answers
 * 409 until that one ends). After a lost answer the batch is not sent blindly: the server is
 * first asked which of its samples it already holds (after a restart it remembers no key), and
 * only the others are sent again (README "Watch a machine", what the agent guarantees).
 */
public final class Sender {
    private static final Logger LOG = LoggerFactory.getLogger(Sender.class);
    private static final long FIRST_BACKOFF_MS = 1000;
    private static final long REJECTION_LOG_EVERY_MS = 60_000;

    private final SampleBuffer buffer;
    private final Format format;
    private final SendStats stats;
    private final long maxBackoffMs;
    private final List<Sample> batch = new ArrayList<>();
    /** The Idempotency-Key of the piece being sent: kept while the same samples are sent again. */
    private String key;
    private int limit;
    private boolean uncertain;
    private long backoffMs;
    private long failingSince;
    private long lastRejectionLog = Long.MIN_VALUE / 2;
    private boolean warnedNoCheck;

    public Sender(SampleBuffer buffer, Format format, SendStats stats, int batchSize, Duration maxBackoff) {
        this.buffer = buffer;
        this.format = format;
        this.stats = stats;
        this.limit = batchSize;
        this.maxBackoffMs = Math.max(FIRST_BACKOFF_MS, maxBackoff.toMillis());
    }

    /** Sends until interrupted; the batch it holds belongs to this thread alone. */
    public void run() {
        try {
            while (!Thread.currentThread().isInterrupted()) {
                step(1000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One attempt: register if needed, take a batch if none is held, settle it or back off. */
    void step(long waitMs) throws InterruptedException {
        if (!format.connected()) {
            try {
                format.connect();
            } catch (IOException | RuntimeException e) {
                failed("cannot register: " + e);
                return;
            }
        }
        if (batch.isEmpty()) {
            buffer.take(batch, limit, waitMs);
            if (batch.isEmpty()) {
                return;
            }
        }
        if (uncertain && (!dropStored() || batch.isEmpty())) {
            return;
        }
        List<Sample> piece = batch.subList(0, Math.min(limit, batch.size()));
        Outcome o;
        if (key == null) {
            key = UUID.randomUUID().toString();
        }
        try {
            o = Outcome.of(format.send(piece, key), piece.size());
        } catch (IOException e) {
            o = Outcome.of(e);
        }
        switch (o.kind()) {
            case STORED -> {
                stats.sent.addAndGet(o.done());
                settle(o.done());
                worked();
            }
            case REJECTED -> {
                stats.rejected.addAndGet(o.rejected());
                stats.sent.addAndGet(Math.max(0, o.done() - o.rejected()));
                settle(o.done());
                long now = System.currentTimeMillis();
                if (now - lastRejectionLog >= REJECTION_LOG_EVERY_MS) {
                    lastRejectionLog = now;
                    LOG.warn("server refused samples; not sent again [rejected={}, answer={}]", o.rejected(), o.detail());
                }
                worked();
            }
            case TOO_LARGE -> {
                if (piece.size() > 1) {
                    limit = Math.max(1, piece.size() / 2);
                    key = null; // other samples: another write
                    LOG.warn("server says the batch is too large; sending smaller ones [batch={}]", limit);
                } else {
                    stats.rejected.incrementAndGet();
                    settle(1);
                }
            }
            case NOT_FOUND -> {
                format.forget();
                failed(o.detail());
            }
            case NOT_STORED -> failed(o.detail());
            // The same samples again later, with the same key: the answer then says how the earlier send ended.
            case IN_PROGRESS -> failed(o.detail());
            case UNCERTAIN -> {
                uncertain = true;
                failed(o.detail());
            }
        }
    }

    /** After a lost answer: drops from the batch what the server already holds. */
    private boolean dropStored() throws InterruptedException {
        Set<String> stored;
        try {
            stored = askStored();
        } catch (UnsupportedOperationException e) {
            if (!warnedNoCheck) {
                warnedNoCheck = true;
                LOG.warn("cannot ask the server which samples it holds; a write whose answer was lost is sent again "
                        + "and may be stored twice [reason={}]", e.getMessage());
            }
            uncertain = false;
            return true;
        } catch (IOException | RuntimeException e) {
            failed("cannot ask which samples are stored: " + e);
            return false;
        }
        int before = batch.size();
        batch.removeIf(s -> stored.contains(format.key(s)));
        int found = before - batch.size();
        if (found > 0) {
            key = null; // other samples: another write
        }
        buffer.done(found);
        stats.alreadyStored.addAndGet(found);
        stats.sent.addAndGet(found);
        uncertain = false;
        if (found > 0) {
            LOG.info("samples of a write whose answer was lost are stored; not sent again [stored={}, to_send={}]",
                    found, batch.size());
        }
        return true;
    }

    /**
     * The keys of the batch's samples the server holds. Sluice commits a write whole (README
     * "Answers"), but an answer read in parts (line protocol asks per metric) can straddle the
     * commit of the write sent last: some of its samples stored, the others not yet. Sent again
     * under a new key, those would be stored twice. So such an answer is asked again, after that
     * commit: what the second still lacks was refused, or never stored.
     */
    private Set<String> askStored() throws IOException, InterruptedException {
        Set<String> stored = format.stored(batch);
        return partOfLastWrite(stored) ? format.stored(batch) : stored;
    }

    /** Whether {@code stored} names some but not all samples of the piece last sent (the batch's first {@code limit}). */
    private boolean partOfLastWrite(Set<String> stored) {
        List<Sample> piece = batch.subList(0, Math.min(limit, batch.size()));
        int found = 0;
        for (Sample s : piece) {
            if (stored.contains(format.key(s))) {
                found++;
            }
        }
        return found > 0 && found < piece.size();
    }

    private void settle(int n) {
        if (n > 0) {
            key = null;
        }
        batch.subList(0, n).clear();
        buffer.done(n);
    }

    private void worked() {
        if (backoffMs > 0) {
            LOG.info("sending again [failed_for={}s, buffered={}]", (System.currentTimeMillis() - failingSince) / 1000,
                    buffer.size());
        }
        backoffMs = 0;
    }

    private void failed(String why) throws InterruptedException {
        stats.failedRequests.incrementAndGet();
        stats.lastError = why;
        if (backoffMs == 0) {
            failingSince = System.currentTimeMillis();
            LOG.warn("cannot send; buffering and retrying [error={}, buffered={}]", why, buffer.size());
            backoffMs = FIRST_BACKOFF_MS;
        } else {
            backoffMs = Math.min(maxBackoffMs, backoffMs * 2);
        }
        long jitter = ThreadLocalRandom.current().nextLong(backoffMs / 5 + 1);
        Thread.sleep(backoffMs - backoffMs / 10 + jitter);
    }
}
