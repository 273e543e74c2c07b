package io.sluice.bench;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * OpenTelemetry OTLP/HTTP metrics in protobuf (one gauge, a data point per row, as an SDK
 * exports) to {@code /v1/metrics}, each request waiting for its 200 (sent after the commit).
 */
@Command(name = "otlp", description = "OTLP/HTTP protobuf exports; durable-ack throughput beside the COPY ceiling.")
final class OtlpScenario implements Callable<Integer> {
    @Mixin
    Options o;

    @picocli.CommandLine.Option(names = "--rounds", defaultValue = "1",
            description = "ceiling then otlp, this many times (default: ${DEFAULT-VALUE})")
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
        return AckedPosts.run(o, "otlp protobuf (200 = committed)", new AckedPosts.Protocol() {
            @Override
            public String metric() {
                return "bench_otlp";
            }

            @Override
            public String path() {
                return "/v1/metrics";
            }

            @Override
            public String contentType() {
                return "application/x-protobuf";
            }

            @Override
            public String headers() {
                return "";
            }

            @Override
            public int okStatus() {
                return 200;
            }

            @Override
            public byte[] body(long from, long to, int series, long t0Micros) {
                return ProtoBodies.otlp(metric(), from, to, series, t0Micros);
            }
        });
    }
}
