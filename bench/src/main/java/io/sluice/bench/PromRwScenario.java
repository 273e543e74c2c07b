package io.sluice.bench;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * Prometheus remote write 1.0 (snappy protobuf, one sample per series as Prometheus sends a
 * scrape) to {@code /api/v1/write}, each request waiting for its 204 (sent after the commit).
 */
@Command(name = "promrw", description = "Prometheus remote write batches; durable-ack throughput beside the COPY ceiling.")
final class PromRwScenario implements Callable<Integer> {
    @Mixin
    Options o;

    @picocli.CommandLine.Option(names = "--rounds", defaultValue = "1",
            description = "ceiling then promrw, this many times (default: ${DEFAULT-VALUE})")
    int rounds;

    @Override
    public Integer call() throws Exception {
        List<Result> results = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            results.add(CeilingScenario.run(o));
            results.add(run(o));
        }
        Report.print(results, "ceiling", o.json);
        return 0;
    }

    static Result run(Options o) throws Exception {
        return AckedPosts.run(o, "prometheus remote write (204 = committed)", new AckedPosts.Protocol() {
            @Override
            public String metric() {
                return "bench_promrw";
            }

            @Override
            public String path() {
                return "/api/v1/write";
            }

            @Override
            public String contentType() {
                return "application/x-protobuf";
            }

            @Override
            public String headers() {
                return "Content-Encoding: snappy\r\nX-Prometheus-Remote-Write-Version: 0.1.0\r\n";
            }

            @Override
            public int okStatus() {
                return 204;
            }

            @Override
            public byte[] body(long from, long to, int series, long t0Micros) {
                return ProtoBodies.remoteWrite(metric(), from, to, series, t0Micros);
            }
        });
    }
}
