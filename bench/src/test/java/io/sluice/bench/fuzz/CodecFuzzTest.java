package io.sluice.bench.fuzz;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Millions of mutated inputs through every codec, in seconds. A new seed each run (printed, and
 * named in any finding); {@code -Dfuzz.seed=N} replays one. More cases: {@code sluice-bench fuzz}.
 */
class CodecFuzzTest {
    static final long CASES = Long.getLong("fuzz.cases", 2_000_000);

    @Test
    void noCodecThrowsMisreportsOrLosesTheGoodLineAfterGarbage() throws Exception {
        long seed = Long.getLong("fuzz.seed", System.nanoTime());
        System.out.println("codec fuzz seed " + seed + " (replay: -Dfuzz.seed=" + seed + ")");
        CodecFuzz.Report r = CodecFuzz.run(seed, 0, CASES, Runtime.getRuntime().availableProcessors());
        System.out.printf("codec fuzz: %d cases, %d samples, %d errors, %d good-line checks, %.1f s%n",
                r.cases(), r.samples(), r.errors(), r.keepChecks(), r.nanos() / 1e9);
        assertThat(r.keepChecks()).as("cases whose good line had to survive").isGreaterThan(CASES / 2);
    }
}
