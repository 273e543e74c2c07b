package io.sluice.bench;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * The three ingest figures in one run, each as a ratio of the COPY ceiling measured in the same
 * run into the same table: a fair comparison on a noisy machine.
 */
@Command(name = "ingest", description = "ceiling, http and udp in one run; prints each as a ratio of the ceiling.")
final class IngestScenario implements Callable<Integer> {
    @Mixin
    Options o;

    @Option(names = "--udp-rate", description = "UDP lines per second, 0 for max (default: ${DEFAULT-VALUE})",
            defaultValue = "0")
    long udpRate;

    @Option(names = "--rounds", description = "repeat the three and report each round (default: ${DEFAULT-VALUE})",
            defaultValue = "1")
    int rounds;

    @Override
    public Integer call() throws Exception {
        List<Result> all = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            all.addAll(round(o, udpRate));
        }
        Report.print(all, "ceiling", o.json);
        return 0;
    }

    /** The ceiling, then HTTP and UDP (at {@code udpRate} lines/s, 0 for max) into the same table. */
    static List<Result> round(Options o, long udpRate) throws Exception {
        return List.of(CeilingScenario.run(o), HttpScenario.run(o), UdpScenario.run(o, udpRate, 25, 1));
    }
}
