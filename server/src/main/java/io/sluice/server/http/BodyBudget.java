package io.sluice.server.http;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.sluice.storage.log.RateLimitedLog;
import io.sluice.storage.metrics.Counter;
import io.sluice.storage.metrics.Metrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.SocketAddress;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The bytes of HTTP request bodies held at once by the whole process ({@code http_body_budget},
 * README "Connections"): {@code max_body_bytes} bounds one request, this bounds them all, so
 * many connections each sending a large body cannot together exhaust memory. A body is leased
 * its declared {@code Content-Length} before a byte of it is read (a chunked one grows its lease
 * chunk by chunk), and a gzip body leases its decoded bytes too as they grow (the decoded copy
 * may be far larger than what came over the wire); what does not fit is refused 503 with {@code Retry-After}, counted in
 * {@code sluice_http_requests_refused_total{reason="body_budget"}}. The lease is returned when
 * the aggregated body is released, or its connection closes first.
 */
public final class BodyBudget {
    private static final Logger log = LoggerFactory.getLogger(BodyBudget.class);
    /** Seconds a refused client is told to wait: bodies in flight are usually gone within one. */
    static final int RETRY_AFTER_SECONDS = 1;

    private final long capacity;
    private final AtomicLong used = new AtomicLong();
    private final Counter refused;
    private final RateLimitedLog refusals = new RateLimitedLog(log, 10_000);

    public BodyBudget(long capacity, Metrics metrics) {
        this.capacity = capacity;
        metrics.gauge("sluice_http_body_bytes_in_flight",
                "Bytes of HTTP request bodies being read or held (bounded by http_body_budget).", used::get);
        this.refused = metrics.counter("sluice_http_requests_refused_total",
                "HTTP requests refused before their body was read, by reason (body_budget).", "reason", "body_budget");
    }

    /**
     * The budget for {@code http_body_budget = configured}: never less than one largest body, so
     * every request {@code max_body_bytes} admits can pass alone. 0 means a quarter of the largest
     * heap (Netty's pooled direct memory, where bodies are held, defaults to the same size), and
     * then never less than a largest gzip body and its decoded copy together (with one step of
     * the decoding buffer's growth), so such a body passes alone too.
     */
    public static long capacity(long configured, long maxBodyBytes) {
        if (configured > 0) {
            return Math.max(configured, maxBodyBytes);
        }
        return Math.max(Runtime.getRuntime().maxMemory() / 4, 2 * maxBodyBytes + (4L << 20));
    }

    public long capacity() {
        return capacity;
    }

    long inFlight() {
        return used.get();
    }

    /** What a request the budget has no room for is answered: 503 with Retry-After, and the connection closes. */
    RefusedRequest refusal() {
        return new RefusedRequest(HttpResponseStatus.SERVICE_UNAVAILABLE, "unavailable", "Sluice holds as many request"
                + " bodies as http_body_budget=" + capacity + " bytes allows; retry in "
                + RETRY_AFTER_SECONDS + " s", true, RETRY_AFTER_SECONDS);
    }

    /** A lease of {@code bytes}, or null (counted and logged) when they do not fit now. */
    Lease lease(long bytes, SocketAddress peer) {
        if (!take(bytes, peer)) {
            return null;
        }
        Lease l = new Lease();
        l.held = bytes;
        return l;
    }

    private boolean take(long bytes, SocketAddress peer) {
        while (true) {
            long now = used.get();
            if (now + bytes > capacity) {
                refused.inc();
                refusals.warn("request body refused, http_body_budget is full; answered 503 [peer={}, bytes={},"
                        + " inFlight={}, budget={}]", peer, bytes, now, capacity);
                return false;
            }
            if (used.compareAndSet(now, now + bytes)) {
                return true;
            }
        }
    }

    /** Bytes one request holds; returned exactly once, by {@link #close}. */
    final class Lease {
        private long held;
        private boolean closed;

        /** Takes {@code bytes} more (a chunk of a chunked body); false, taking nothing, when they do not fit. */
        synchronized boolean grow(long bytes, SocketAddress peer) {
            if (closed) {
                return true; // the body was already let go (refused too large): nothing more is held
            }
            if (!take(bytes, peer)) {
                return false;
            }
            held += bytes;
            return true;
        }

        synchronized void close() {
            if (!closed) {
                closed = true;
                used.addAndGet(-held);
                held = 0;
            }
        }
    }
}
