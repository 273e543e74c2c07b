package io.sluice.bench;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

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
        URI base = URI.create(o.sluice);
        AtomicLong next = new AtomicLong();
        Recorder latency = new Recorder(3);
        AtomicLong status503 = new AtomicLong();
        AtomicLong otherStatus = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        try (Progress progress = new Progress(name, o.rows)) {
            for (int t = 0; t < o.connections; t++) {
                Thread th = new Thread(() -> {
                    try (PlainHttp http = new PlainHttp(base, 60_000)) {
                        long from;
                        while ((from = next.getAndAdd(o.batch)) < o.rows) {
                            byte[] body = bodies.get((int) (from / o.batch));
                            long rows = Math.min(o.batch, o.rows - from);
                            long start = System.nanoTime();
                            try {
                                int status = http.post(p.path(), p.contentType(), p.headers(), body);
                                latency.recordValue((System.nanoTime() - start) / 1000);
                                if (status == p.okStatus()) {
                                    progress.rows.add(rows);
                                } else {
                                    (status == 503 ? status503 : otherStatus).incrementAndGet();
                                    progress.errors.increment();
                                }
                            } catch (Exception e) {
                                progress.errors.increment();
                            }
                        }
                    }
                }, name + "-" + t);
                threads.add(th);
                th.start();
            }
            for (Thread th : threads) {
                th.join();
            }
            double secs = progress.seconds();
            Histogram h = latency.getIntervalHistogram();
            Map<String, Object> extra = new LinkedHashMap<>();
            extra.put("connections", o.connections);
            extra.put("batch", o.batch);
            extra.put("errors", progress.errors.sum());
            extra.put("status_503", status503.get());
            extra.put("status_other", otherStatus.get());
            extra.put("stored", CeilingScenario.count(o.db, p.metric()) - before);
            extra.put("latency_ms_p50", h.getValueAtPercentile(50) / 1000.0);
            extra.put("latency_ms_p99", h.getValueAtPercentile(99) / 1000.0);
            extra.put("latency_ms_max", h.getMaxValue() / 1000.0);
            return new Result(name, progress.rows.sum(), secs, extra);
        }
    }
}
