package io.sluice.bench;

import io.sluice.bench.fuzz.CodecFuzz;
import io.sluice.bench.fuzz.HttpFuzz;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.net.URI;
import java.util.concurrent.Callable;

/**
 * The fuzz tests' long form: many more cases through every codec in process, then through every
 * HTTP body path of a running Sluice. Stops at the first finding, which names the seed and the
 * case; {@code --seed} replays a run.
 */
@Command(name = "fuzz", description = "Random and mutated inputs through every codec (in this process) and every HTTP"
        + " body path of a running Sluice; exits 1 at the first finding.")
final class FuzzScenario implements Callable<Integer> {
    @Option(names = "--cases", description = "codec cases (default: ${DEFAULT-VALUE})", defaultValue = "20000000")
    long cases;

    @Option(names = "--http-cases", description = "HTTP requests, 0 for none (default: ${DEFAULT-VALUE})",
            defaultValue = "100000")
    long httpCases;

    @Option(names = "--seed", description = "replay this seed (default: a new one, printed)")
    Long seed;

    @Option(names = "--sluice", description = "Sluice's HTTP base URL; point it at a scratch Sluice"
            + " (default: ${DEFAULT-VALUE})", defaultValue = "http://127.0.0.1:8080")
    String sluice;

    @Option(names = "--connections", description = "pipelined HTTP connections (default: ${DEFAULT-VALUE})",
            defaultValue = "4")
    int connections;

    @Option(names = "--threads", description = "codec fuzz threads (default: the cores)")
    Integer threads;

    @Override
    public Integer call() throws Exception {
        long s = seed != null ? seed : System.nanoTime();
        int t = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        System.out.println("fuzz seed " + s + " (replay with --seed " + s + ")");
        try {
            long chunk = 1_000_000;
            long samples = 0;
            long errors = 0;
            long keeps = 0;
            long t0 = System.nanoTime();
            for (long first = 0; first < cases; first += chunk) {
                CodecFuzz.Report r = CodecFuzz.run(s, first, Math.min(chunk, cases - first), t);
                samples += r.samples();
                errors += r.errors();
                keeps += r.keepChecks();
                System.out.printf("codec: %,d of %,d cases, %.0f s%n", Math.min(cases, first + chunk), cases,
                        (System.nanoTime() - t0) / 1e9);
            }
            System.out.printf("codec: %,d cases, %,d samples, %,d errors, %,d good-line checks, no finding (%.0f s)%n",
                    cases, samples, errors, keeps, (System.nanoTime() - t0) / 1e9);
            if (httpCases > 0) {
                HttpFuzz.Report r = new HttpFuzz(URI.create(sluice), s).run(httpCases, connections);
                System.out.printf("http: %,d requests, answers %s, %,d good samples that had to be stored all are,"
                        + " no finding (%.0f s)%n", r.cases(), r.statuses(), r.mustKeep(), r.nanos() / 1e9);
            }
            return 0;
        } catch (CodecFuzz.Finding | HttpFuzz.Finding f) {
            System.out.println(f.getMessage());
            return 1;
        }
    }
}
