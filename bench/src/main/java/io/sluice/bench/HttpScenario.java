package io.sluice.bench;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Line protocol over HTTP with durable acknowledgement: N connections each sending batches of B
 * lines and waiting for the 204 (which Sluice sends only after the commit).
 */
@Command(name = "http", description = "Line-protocol batches over HTTP; durable-ack throughput and latency.")
final class HttpScenario implements Callable<Integer> {
    @Mixin
    Options o;

    @picocli.CommandLine.Option(names = "--no-ceiling", description = "skip the COPY ceiling measured first")
    boolean noCeiling;

    @picocli.CommandLine.Option(names = "--rounds", defaultValue = "1",
            description = "ceiling then http, this many times; each http against the ceiling just before it (default: ${DEFAULT-VALUE})")
    int rounds;

    @Override
    public Integer call() throws Exception {
        // Every ingest figure is reported as a ratio of the ceiling measured in the same run.
        List<Result> results = new java.util.ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            if (!noCeiling) {
                results.add(CeilingScenario.run(o));
            }
            results.add(run(o));
        }
        Report.print(results, noCeiling ? null : "ceiling", o.json);
        return 0;
    }

    static Result run(Options o) throws Exception {
        // Bodies are made before the clock starts, so the generator's cost is not measured. They
        // hold the ceiling's rows: series dealt in turn, each row 1 us after the one before, every
        // time new. (Cycling a few bodies sent the same keys again and again, and index inserts
        // into old pages cost PostgreSQL more than the ceiling's appends.)
        List<byte[]> bodies = new ArrayList<>();
        long ts = System.currentTimeMillis() * 1_000_000L;
        for (long from = 0; from < o.rows; from += o.batch) {
            StringBuilder sb = new StringBuilder(o.batch * 48);
            for (long k = from; k < Math.min(o.rows, from + o.batch); k++) {
                sb.append("bench_http,host=h").append(k % o.series).append(" value=").append(k / 2)
                        .append(k % 2 == 0 ? ".0" : ".5").append(' ').append(ts + k * 1000L).append('\n');
            }
            bodies.add(sb.toString().getBytes(StandardCharsets.UTF_8));
        }
        long before = CeilingScenario.count(o.db, "bench_http");
        CeilingScenario.checkpoint(o.db);
        URI base = URI.create(o.sluice);
        AtomicLong next = new AtomicLong();
        Recorder latency = new Recorder(3);
        AtomicLong status503 = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        Result result;
        try (Progress progress = new Progress("http", o.rows)) {
            for (int t = 0; t < o.connections; t++) {
                Thread th = new Thread(() -> {
                    try (PlainHttp http = new PlainHttp(base, 60_000)) {
                        long from;
                        while ((from = next.getAndAdd(o.batch)) < o.rows) {
                            byte[] body = bodies.get((int) (from / o.batch));
                            long lines = Math.min(o.batch, o.rows - from);
                            long t0 = System.nanoTime();
                            try {
                                int status = http.post("/write?precision=ns", "text/plain; charset=utf-8", body);
                                latency.recordValue((System.nanoTime() - t0) / 1000);
                                if (status == 204) {
                                    progress.rows.add(lines);
                                } else {
                                    if (status == 503) {
                                        status503.incrementAndGet();
                                    }
                                    progress.errors.increment();
                                }
                            } catch (Exception e) {
                                progress.errors.increment();
                            }
                        }
                    }
                }, "http-" + t);
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
            extra.put("stored", CeilingScenario.count(o.db, "bench_http") - before);
            extra.put("latency_ms_p50", h.getValueAtPercentile(50) / 1000.0);
            extra.put("latency_ms_p99", h.getValueAtPercentile(99) / 1000.0);
            extra.put("latency_ms_max", h.getMaxValue() / 1000.0);
            result = new Result("http line protocol (204 = committed)", progress.rows.sum(), secs, extra);
        }
        return result;
    }
}
