package io.sluice.bench;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.List;
import java.util.concurrent.Callable;

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
        return AckedPosts.run(o, "http line protocol (204 = committed)", new AckedPosts.Protocol() {
            @Override
            public String metric() {
                return "bench_http";
            }

            @Override
            public String path() {
                return "/write?precision=ns";
            }

            @Override
            public String contentType() {
                return "text/plain; charset=utf-8";
            }

            @Override
            public String headers() {
                return "";
            }

            @Override
            public int okStatus() {
                return 204;
            }

            @Override
            public byte[] body(long from, long to, int series, long t0Micros) {
                return LineBodies.body("bench_http", from, to, series, t0Micros * 1000L);
            }
        });
    }
}
