package io.sluice.bench;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import javax.net.ssl.SSLSocketFactory;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Prebuilt bodies POSTed over N keep-alive connections, each waiting for its answer before the
 * next request ({@link PlainHttp}): what a client that needs durable acknowledgement does. Any
 * 2xx counts the body's lines as written; anything else is an error (never retried here).
 */
final class HttpLoad {
    /** What one load produced. */
    record Outcome(long rows, double seconds, long errors, Map<Integer, Long> failedStatus, Histogram latencyMicros) {
        double rate() {
            return rows / seconds;
        }

        /** Latencies and errors, for a result's notes. */
        Map<String, Object> notes() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("errors", errors);
            if (!failedStatus.isEmpty()) {
                m.put("failed_status", failedStatus);
            }
            m.put("latency_ms_p50", latencyMicros.getValueAtPercentile(50) / 1000.0);
            m.put("latency_ms_p99", latencyMicros.getValueAtPercentile(99) / 1000.0);
            m.put("latency_ms_max", latencyMicros.getMaxValue() / 1000.0);
            return m;
        }
    }

    private HttpLoad() {
    }

    /** Line protocol: {@link #send(String, URI, String, String, String, int, List, long, int, int)} with its content type, any 2xx. */
    static Outcome send(String name, URI base, String target, List<byte[]> bodies, long rows, int batch,
                        int connections) throws InterruptedException {
        return send(name, base, target, "text/plain; charset=utf-8", "", 0, bodies, rows, batch, connections);
    }

    /**
     * @param target  path and query of every request, e.g. {@code /write?precision=ns}
     * @param headers further header lines, each ending in CRLF (or empty)
     * @param ok      the status that counts a body as written, 0 for any 2xx
     * @param batch   rows in each body (the last body may hold fewer, up to {@code rows})
     */
    static Outcome send(String name, URI base, String target, String contentType, String headers, int ok,
                        List<byte[]> bodies, long rows, int batch, int connections) throws InterruptedException {
        return send(name, base, null, target, contentType, headers, ok, bodies, rows, batch, connections);
    }

    /** As above; {@code https://} bases go over {@code tls}'s sockets (null for {@code http://}). */
    static Outcome send(String name, URI base, SSLSocketFactory tls, String target, String contentType, String headers,
                        int ok, List<byte[]> bodies, long rows, int batch, int connections) throws InterruptedException {
        AtomicLong next = new AtomicLong();
        Recorder latency = new Recorder(3);
        Map<Integer, Long> failed = new java.util.concurrent.ConcurrentSkipListMap<>();
        List<Thread> threads = new ArrayList<>();
        try (Progress progress = new Progress(name, rows)) {
            for (int t = 0; t < connections; t++) {
                Thread th = new Thread(() -> {
                    try (PlainHttp http = new PlainHttp(base, 60_000, tls)) {
                        long from;
                        while ((from = next.getAndAdd(batch)) < rows) {
                            byte[] body = bodies.get((int) (from / batch));
                            long lines = Math.min(batch, rows - from);
                            long t0 = System.nanoTime();
                            try {
                                int status = http.post(target, contentType, headers, body);
                                latency.recordValue((System.nanoTime() - t0) / 1000);
                                if (ok == 0 ? status / 100 == 2 : status == ok) {
                                    progress.rows.add(lines);
                                } else {
                                    failed.merge(status, 1L, Long::sum);
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
            return new Outcome(progress.rows.sum(), progress.seconds(), progress.errors.sum(), failed,
                    latency.getIntervalHistogram());
        }
    }
}
