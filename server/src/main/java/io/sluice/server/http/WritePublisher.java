package io.sluice.server.http;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.sluice.codec.ParseError;
import io.sluice.server.ingest.Ingest;
import io.sluice.server.ingest.IngestSink;
import io.sluice.storage.log.ErrorIds;
import io.sluice.storage.metrics.Counter;
import io.sluice.storage.ring.SampleBatch;
import io.sluice.storage.ring.SampleRing;
import io.sluice.storage.ring.WriteAck;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Puts a parsed HTTP write into the ring and answers once it is committed: 204, or 400 naming
 * each refused line when some were refused (the good ones are stored: partial write), or 503
 * with Retry-After when the ring stays full or the commit does not come in time.
 *
 * <p>The event loop never waits: a full ring is retried on a 1 ms timer until
 * {@code http_ring_wait} has passed.
 */
public final class WritePublisher {
    private static final Logger log = LoggerFactory.getLogger(WritePublisher.class);
    private final Ingest ingest;
    private final long ringWaitNanos;
    private final long ackTimeoutMs;

    public WritePublisher(Ingest ingest, Duration ringWait, Duration ackTimeout) {
        this.ingest = ingest;
        this.ringWaitNanos = ringWait.toNanos();
        this.ackTimeoutMs = ackTimeout.toMillis();
    }

    /** Publishes what the sink holds and arranges the answer; the sink may be reused at once. */
    public void publish(Exchange ex, IngestSink sink, String transport) {
        publish(ex, sink, transport, null, null);
    }

    /**
     * As {@link #publish(Exchange, IngestSink, String)}, but a full success is answered with
     * {@code okStatus} and {@code okBody} (JSON) instead of 204: the drop-in APIs' shapes.
     */
    public void publish(Exchange ex, IngestSink sink, String transport, HttpResponseStatus okStatus, Object okBody) {
        SampleBatch batch = sink.batch();
        int rejected = sink.errorCount();
        List<ParseError> errors = rejected == 0 ? List.of() : List.copyOf(sink.errors());
        Counter received = ingest.counters().received(transport);
        if (batch.size() == 0) {
            if (rejected > 0) {
                answer(ex, null, 0, rejected, errors, okStatus, okBody);
            } else {
                answer(ex, null, 0, 0, errors, okStatus, okBody);
            }
            return;
        }
        int total = batch.size();
        WriteAck ack = new WriteAck(failure -> answer(ex, failure, total, rejected, errors, okStatus, okBody));
        new Pending(ex, batch, ack, received).run();
    }

    private void answer(Exchange ex, String failure, int accepted, int rejected, List<ParseError> errors,
                        HttpResponseStatus okStatus, Object okBody) {
        if (failure != null) {
            String id = ErrorIds.next();
            log.warn("HTTP write failed [errorId={}, uri={}, reason={}]", id, ex.request().uri(), failure);
            ex.serverError(id);
            return;
        }
        if (rejected == 0) {
            if (okBody != null) {
                ex.json(okStatus, okBody);
            } else {
                ex.noContent();
            }
            return;
        }
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("accepted", accepted);
        extra.put("rejected", rejected);
        List<Map<String, Object>> lines = new ArrayList<>(errors.size());
        for (ParseError e : errors) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("line", e.line());
            m.put("position", e.position());
            m.put("reason", e.reason());
            m.put("text", e.text());
            lines.add(m);
        }
        extra.put("line_errors", lines);
        String first = errors.isEmpty() ? "" : "; first: " + errors.get(0);
        String msg = (accepted > 0 ? "partial write: " : "no samples written: ")
                + rejected + " line(s) or sample(s) rejected, " + accepted + " sample(s) stored" + first;
        ex.error(HttpResponseStatus.BAD_REQUEST, "invalid", msg, extra);
    }

    /** One write on its way into the ring, resumed by timer while the ring is full. */
    private final class Pending implements Runnable {
        private final Exchange ex;
        private final WriteAck ack;
        private final Counter received;
        private final long deadline;
        private SampleBatch batch;
        private int next;
        private int published;
        private boolean copied;

        Pending(Exchange ex, SampleBatch batch, WriteAck ack, Counter received) {
            this.ex = ex;
            this.batch = batch;
            this.ack = ack;
            this.received = received;
            this.deadline = System.nanoTime() + ringWaitNanos;
        }

        @Override
        public void run() {
            SampleRing ring = ingest.ring();
            while (next < batch.size()) {
                int n = Math.min(SampleRing.MAX_CHUNK, batch.size() - next);
                if (!ring.tryPublish(batch, next, n, ack)) {
                    stalled();
                    return;
                }
                next += n;
                published += n;
                received.add(n);
            }
            ack.seal(published);
            ScheduledFuture<?> timeout = ex.ctx().executor().schedule(() -> {
                if (!ack.isDone()) {
                    ingest.counters().httpRefused("ack_timeout").inc();
                    ex.unavailable("samples not committed within http_ack_timeout=" + ackTimeoutMs
                            + "ms (database slow or down); they stay queued and will be stored when it recovers",
                            5, Map.of("queued", published));
                }
            }, ackTimeoutMs, TimeUnit.MILLISECONDS);
            ex.ctx().channel().closeFuture().addListener(f -> timeout.cancel(false));
        }

        private void stalled() {
            if (!copied) {
                // The sink's batch belongs to the event loop and is reused by the next request.
                batch = batch.copyFrom(next);
                next = 0;
                copied = true;
            }
            if (System.nanoTime() >= deadline) {
                int left = batch.size() - next;
                ingest.counters().httpRefused("ring_full").inc();
                // Answer before sealing: sealing may complete the ack, whose answer must lose.
                ex.unavailable("ingest buffer full: " + published + " sample(s) of this request were queued and "
                        + "will be stored, " + left + " were not; retry later", 1,
                        Map.of("queued", published, "not_queued", left));
                ack.seal(published);
                return;
            }
            ex.ctx().executor().schedule(this, 1, TimeUnit.MILLISECONDS);
        }
    }
}
