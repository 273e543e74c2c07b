package io.sluice.server.http;

import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.sluice.codec.ParseError;
import io.sluice.server.auth.Credentials;
import io.sluice.server.auth.RateLimit;
import io.sluice.server.ingest.Ingest;
import io.sluice.server.ingest.IngestSink;
import io.sluice.storage.ingest.AcknowledgedWrite;
import io.sluice.storage.ingest.WriteOutcome;
import io.sluice.storage.log.ErrorIds;
import io.sluice.storage.metrics.Counter;
import io.sluice.storage.ring.SampleBatch;
import io.sluice.storage.writer.UnknownCommit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Puts a parsed HTTP write into storage as one acknowledged request and answers once it is
 * committed: 204, or 400 naming each refused line when some were refused (the good ones are
 * stored: partial write), 413 when it holds more samples than one request may, 400 when the
 * database refuses a value of it, or 503 with Retry-After when the ring stays full or the commit
 * does not come in time (nothing of the request is stored but in the first case).
 *
 * <p>The event loop never waits: a full ring is retried on a 1 ms timer until
 * {@code http_ring_wait} has passed.
 */
public final class WritePublisher {
    private static final Logger log = LoggerFactory.getLogger(WritePublisher.class);
    /** Keys of writes kept at most; a committed one an hour (README "Answers", Idempotency-Key). */
    static final int IDEMPOTENCY_KEYS = 100_000;
    static final long IDEMPOTENCY_TTL_NANOS = TimeUnit.HOURS.toNanos(1);

    private final Ingest ingest;
    private final long ringWaitNanos;
    private final long ackTimeoutMs;
    private final IdempotencyKeys keys = new IdempotencyKeys(IDEMPOTENCY_KEYS, IDEMPOTENCY_TTL_NANOS);

    public WritePublisher(Ingest ingest, Duration ringWait, Duration ackTimeout) {
        this.ingest = ingest;
        this.ringWaitNanos = ringWait.toNanos();
        this.ackTimeoutMs = ackTimeout.toMillis();
    }

    /** Publishes what the sink holds and arranges the answer; the sink may be reused at once. */
    public void publish(Exchange ex, IngestSink sink, String transport) {
        publish(ex, sink, transport, WriteAnswer.INFLUX);
    }

    /**
     * As {@link #publish(Exchange, IngestSink, String)}, but a full success is answered with
     * {@code okStatus} and {@code okBody} (JSON) instead of 204: the drop-in APIs' shapes.
     */
    public void publish(Exchange ex, IngestSink sink, String transport, HttpResponseStatus okStatus, Object okBody) {
        publish(ex, sink, transport, new WriteAnswer() {
            @Override
            public void committed(Exchange e, int accepted, int rejected, List<ParseError> errors) {
                if (rejected == 0) {
                    e.json(okStatus, okBody);
                } else {
                    WriteAnswer.INFLUX.committed(e, accepted, rejected, errors);
                }
            }
        });
    }

    /** As {@link #publish(Exchange, IngestSink, String)}, answering each outcome in {@code answer}'s words. */
    public void publish(Exchange ex, IngestSink sink, String transport, WriteAnswer answer) {
        SampleBatch batch = sink.batch();
        int rejected = sink.errorCount();
        // The token's samples a second: asked before the body was parsed, paid now it is counted.
        RateLimit limit = ex.principal().samples();
        if (limit != null) {
            limit.charge(batch.size(), System.nanoTime());
        }
        List<ParseError> errors = rejected == 0 ? List.of() : List.copyOf(sink.errors());
        if (batch.size() == 0) {
            answer.committed(ex, 0, rejected, errors);
            return;
        }
        publish(ex, batch, rejected, errors, transport, answer, idempotencyKey(ex));
    }

    /** Claims the write's key, if it has one, and publishes the write if it is to be stored. */
    private void publish(Exchange ex, SampleBatch batch, int rejected, List<ParseError> errors, String transport,
                         WriteAnswer answer, String key) {
        int total = batch.size();
        if (key != null) {
            switch (keys.claim(key)) {
                case IN_PROGRESS -> {
                    ex.header(HttpHeaderNames.RETRY_AFTER, 1);
                    ex.error(HttpResponseStatus.CONFLICT, "conflict", "a write with this Idempotency-Key is in progress;"
                            + " nothing of this one was stored; retry it later for its outcome");
                    return;
                }
                case COMMITTED -> {
                    // Stored by the first write with this key: the same answer, nothing stored again.
                    answer.committed(ex, total, rejected, errors);
                    return;
                }
                case UNKNOWN -> {
                    learnThenPublish(ex, batch, rejected, errors, transport, answer, key);
                    return;
                }
                case NEW -> {
                }
            }
        }
        Pending p = new Pending(ex, ingest.counters().received(transport), answer, key);
        p.write = ingest.port().acknowledged(batch, (outcome, reason) -> {
            p.done();
            p.settle(outcome == WriteOutcome.COMMITTED);
            if (outcome == WriteOutcome.COMMITTED) {
                answer.committed(ex, total, rejected, errors);
            } else if (outcome == WriteOutcome.WITHDRAWN) {
                p.withdrawn();
            } else if (outcome == WriteOutcome.REFUSED) {
                // The writer logged the database's message under the error id the reason names.
                answer.refused(ex, reason);
            } else if (outcome == WriteOutcome.UNAVAILABLE) {
                // Nothing stored (write_ack = local, a journal file failed): a retry may succeed.
                answer.unavailable(ex, reason + "; retry later", 5, java.util.Map.of());
            } else {
                String id = ErrorIds.next();
                log.warn("HTTP write failed [errorId={}, uri={}, reason={}]", id,
                        Credentials.withoutSecrets(ex.request().uri()), reason);
                answer.failed(ex, id);
            }
        });
        p.run();
    }

    /**
     * The first write with this key went into a batch whose COMMIT went unanswered (it was answered
     * 500): it is stored whole or not at all. The database is asked which (off the event loop), and
     * this write is answered from the truth: as committed, storing nothing, or stored now as a new
     * write. While the database cannot say, 503 and nothing stored.
     */
    private void learnThenPublish(Exchange ex, SampleBatch batch, int rejected, List<ParseError> errors,
                                  String transport, WriteAnswer answer, String key) {
        UnknownCommit commit = keys.unknown(key);
        if (commit == null) { // learnt meanwhile
            publish(ex, batch, rejected, errors, transport, answer, key);
            return;
        }
        SampleBatch copy = batch.copyFrom(0); // the caller reuses its batch once publish returns
        commit.outcome().whenComplete((committed, error) -> ex.ctx().executor().execute(() -> {
            if (error == null) {
                publish(ex, copy, rejected, errors, transport, answer, key);
                return;
            }
            String id = ErrorIds.next();
            log.warn("could not learn whether a write with this Idempotency-Key was stored [errorId={}, uri={},"
                    + " error={}]", id, Credentials.withoutSecrets(ex.request().uri()), error.toString());
            ingest.counters().httpRefused("outcome_unknown").inc();
            answer.unavailable(ex, "a write with this Idempotency-Key went into a commit whose outcome is not known yet"
                    + " and the database cannot say now; nothing of this one was stored; retry it later (error id "
                    + id + ")", 5, Map.of("queued", 0, "not_queued", copy.size()));
        }));
    }

    /**
     * The request's {@code Idempotency-Key} (an sf-string: quotes, if any, are dropped) qualified by
     * who sends it, or null when it has none. A key that is empty, over
     * {@link IdempotencyKeys#MAX_KEY_LENGTH} or not printable ASCII is refused (400).
     */
    private static String idempotencyKey(Exchange ex) {
        String k = ex.request().headers().get("Idempotency-Key");
        if (k == null) {
            return null;
        }
        k = k.strip();
        if (k.length() >= 2 && k.startsWith("\"") && k.endsWith("\"")) {
            k = k.substring(1, k.length() - 1);
        }
        if (k.isEmpty() || k.length() > IdempotencyKeys.MAX_KEY_LENGTH || !k.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
            throw new BadRequest("Idempotency-Key: 1 to " + IdempotencyKeys.MAX_KEY_LENGTH + " printable ASCII characters");
        }
        return ex.principal().name() + '\u0000' + k;
    }

    /**
     * One write on its way into the ring (resumed by timer while the ring is full), then waiting
     * for its commit. When the client stops waiting (the ack timeout here, or a closed
     * connection) the write is withdrawn, so a retry stores it once; a commit already under way
     * is waited for and answered as it ends.
     */
    private final class Pending implements Runnable {
        private final Exchange ex;
        private final Counter received;
        private final WriteAnswer answer;
        private final long deadline;
        private final String key;
        AcknowledgedWrite write;
        private volatile ScheduledFuture<?> timeout;
        private volatile ChannelFutureListener onClose;

        Pending(Exchange ex, Counter received, WriteAnswer answer, String key) {
            this.ex = ex;
            this.received = received;
            this.answer = answer;
            this.key = key;
            this.deadline = System.nanoTime() + ringWaitNanos;
        }

        @Override
        public void run() {
            switch (write.tryPublish()) {
                case PUBLISHED -> published();
                case TOO_LARGE -> {
                    settle(false);
                    answer.tooLarge(ex, "the request holds " + write.samples() + " samples, more than the "
                            + write.maxSamples() + " one request may hold (half the ring, see ring_size); nothing was"
                            + " stored; split it into smaller requests");
                }
                case RING_FULL -> stalled();
            }
        }

        private void published() {
            received.add(write.samples());
            if (write.isDone()) {
                return;
            }
            ScheduledFuture<?> t = ex.ctx().executor().schedule(() -> {
                if (!write.withdraw() && !write.isDone()) {
                    log.debug("ack timeout with a commit under way; answering when it ends [uri={}]",
                            Credentials.withoutSecrets(ex.request().uri()));
                }
            }, ackTimeoutMs, TimeUnit.MILLISECONDS);
            ChannelFutureListener l = f -> {
                t.cancel(false);
                write.withdraw();
            };
            timeout = t;
            onClose = l;
            ex.ctx().channel().closeFuture().addListener(l);
            if (write.isDone()) {
                done();
            }
        }

        /**
         * The request ended: its timer and close listener go, so a keep-alive connection does not
         * gather one listener per request it ever carried.
         */
        void done() {
            ScheduledFuture<?> t = timeout;
            ChannelFutureListener l = onClose;
            if (t != null) {
                t.cancel(false);
            }
            if (l != null) {
                ex.ctx().channel().closeFuture().removeListener(l);
            }
        }

        /**
         * Reports the outcome to the request's Idempotency-Key, if it has one: committed, nothing
         * stored, or stored whole or not at all (the key stays bound to the batch that knows).
         */
        void settle(boolean committed) {
            if (key == null) {
                return;
            }
            UnknownCommit unknown = write.unknownCommit();
            if (committed) {
                keys.committed(key);
            } else if (unknown != null) {
                keys.unknown(key, unknown);
            } else {
                keys.forget(key);
            }
        }

        /** Withdrawn: its commit did not come in time (or the client left); nothing of it is stored. */
        void withdrawn() {
            if (!ex.ctx().channel().isActive()) {
                return;
            }
            ingest.counters().httpRefused("ack_timeout").inc();
            answer.unavailable(ex, "samples not committed within http_ack_timeout=" + ackTimeoutMs
                    + "ms (database slow or down); the request was withdrawn and nothing of it is stored: retry it",
                    5, Map.of("queued", 0, "not_queued", write.samples()));
        }

        private void stalled() {
            if (System.nanoTime() >= deadline) {
                settle(false);
                ingest.counters().httpRefused("ring_full").inc();
                answer.unavailable(ex, "ingest buffer full: nothing of this request was queued or stored; retry later", 1,
                        Map.of("queued", 0, "not_queued", write.samples()));
                return;
            }
            ex.ctx().executor().schedule(this, 1, TimeUnit.MILLISECONDS);
        }
    }
}
