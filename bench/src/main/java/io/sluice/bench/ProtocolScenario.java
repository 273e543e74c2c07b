package io.sluice.bench;

import picocli.CommandLine.Mixin;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** A write protocol's scenario: the COPY ceiling, then its acknowledged POSTs, {@code --rounds} times. */
abstract class ProtocolScenario implements Callable<Integer> {
    @Mixin
    Options o;

    @picocli.CommandLine.Option(names = "--rounds", defaultValue = "1",
            description = "ceiling then the protocol, this many times (default: ${DEFAULT-VALUE})")
    int rounds;

    abstract String name();

    abstract AckedPosts.Protocol protocol();

    @Override
    public Integer call() throws Exception {
        List<Result> results = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            results.add(CeilingScenario.run(o));
            results.add(AckedPosts.run(o, name(), protocol()));
        }
        Report.print(results, "ceiling", o.json);
        return 0;
    }

    /** A protocol whose every request has the same path, type, headers and success status. */
    record Fixed(String metric, String path, String contentType, String headers, int okStatus, Bodies bodies)
            implements AckedPosts.Protocol {
        interface Bodies {
            byte[] body(String metric, long from, long to, int series, long t0Micros);
        }

        @Override
        public byte[] body(long from, long to, int series, long t0Micros) {
            return bodies.body(metric, from, to, series, t0Micros);
        }
    }
}
