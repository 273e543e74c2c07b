package io.sluice.bench;

import org.HdrHistogram.Histogram;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Batches POSTed over N connections, each waiting for its answer, which Sluice sends only after
 * the commit: the durable-ack ingest rate of one write protocol. The protocol gives its path,
 * headers, success status and a body per batch; the rows are the ceiling's (series dealt in turn,
 * each row 1 us after the one before, every time new), so the ratio to it is like for like.
 */
final class AckedPosts {
    /** One protocol's request shape. */
    interface Protocol {
        /** The metric every row is stored under, to count what landed. */
        String metric();

        String path();

        String contentType();

        /** Further header lines, each ending in CRLF (or empty). */
        String headers();

        int okStatus();

        /** The body holding rows {@code [from, to)}: row k is series {@code k % series}, value {@code k / 2.0}, time {@code t0 + k} us. */
        byte[] body(long from, long to, int series, long t0Micros);
    }

    private AckedPosts() {
    }

    static Result run(Options o, String name, Protocol p) throws Exception {
        // Bodies are made before the clock starts, so the generator's cost is not measured.
        List<byte[]> bodies = new ArrayList<>();
        long t0 = System.currentTimeMillis() * 1000L;
        for (long from = 0; from < o.rows; from += o.batch) {
            bodies.add(p.body(from, Math.min(o.rows, from + o.batch), o.series, t0));
        }
        long before = CeilingScenario.count(o.db, p.metric());
        CeilingScenario.checkpoint(o.db);
        HttpLoad.Outcome out = HttpLoad.send(name, URI.create(o.sluice), p.path(), p.contentType(), p.headers(),
                p.okStatus(), bodies, o.rows, o.batch, o.connections);
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("connections", o.connections);
        extra.put("batch", o.batch);
        extra.put("errors", out.errors());
        long s503 = out.failedStatus().getOrDefault(503, 0L);
        extra.put("status_503", s503);
        extra.put("status_other", out.failedStatus().values().stream().mapToLong(Long::longValue).sum() - s503);
        extra.put("stored", CeilingScenario.count(o.db, p.metric()) - before);
        Histogram h = out.latencyMicros();
        extra.put("latency_ms_p50", h.getValueAtPercentile(50) / 1000.0);
        extra.put("latency_ms_p99", h.getValueAtPercentile(99) / 1000.0);
        extra.put("latency_ms_max", h.getMaxValue() / 1000.0);
        return new Result(name, out.rows(), out.seconds(), extra);
    }
}
