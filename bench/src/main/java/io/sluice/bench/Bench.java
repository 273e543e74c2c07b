package io.sluice.bench;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code java -jar bench/target/sluice-bench.jar <scenario> [options]}: load scenarios against a
 * running Sluice, and the raw COPY ceiling of its database measured in the same run.
 */
@Command(name = "sluice-bench", mixinStandardHelpOptions = true,
        description = "Load harness for Sluice: ingest rates side by side with the database's own COPY ceiling.",
        subcommands = {CeilingScenario.class, HttpScenario.class, PromRwScenario.class, OtlpScenario.class,
                UdpScenario.class, StatsdScenario.class, IngestScenario.class, WsScenario.class, QueryScenario.class,
                BackfillScenario.class, PeersScenario.class, AllScenario.class, FuzzScenario.class, ChaosScenario.class,
                TrustScenario.class, SealScenario.class})
public final class Bench implements Runnable {
    public static void main(String[] args) {
        System.exit(new CommandLine(new Bench()).execute(args));
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
