package io.sluice.bench.fuzz;

import io.sluice.bench.PlainHttp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Every HTTP body path of a real Sluice (the jar the build just made, on its embedded PostgreSQL)
 * under mutated requests: no 5xx, answers in order, the good samples stored and the refused bodies
 * not, and no stack trace in its log. {@code -Dfuzz.seed=N} replays; more: {@code sluice-bench fuzz}.
 */
class HttpFuzzIT {
    static final long CASES = Long.getLong("fuzz.http.cases", 6_000);

    @TempDir
    Path dir;

    @Test
    void everyBodyPathAnswersWithoutServerErrorsKeepsTheGoodSamplesAndLogsNoStackTrace() throws Exception {
        Path jar = Path.of("").toAbsolutePath().resolveSibling("server").resolve("target/sluice.jar");
        assumeTrue(Files.exists(jar), "needs " + jar + ": run the build from the repository root (mvn -B -ntp verify)");
        int port = freePort();
        int pgPort = freePort(); // the default, 5433, may be taken by another Sluice on this machine
        Path log = dir.resolve("sluice.log");
        ProcessBuilder pb = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"),
                "-Xmx512m", "-jar", jar.toString()).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("SLUICE_DATA_DIR", dir.resolve("data").toString());
        pb.environment().put("SLUICE_HTTP_PORT", Integer.toString(port));
        pb.environment().put("SLUICE_UDP_LINE_PORT", "0");
        pb.environment().put("SLUICE_UDP_JSON_PORT", "0");
        pb.environment().put("SLUICE_STATSD_PORT", "0");
        pb.environment().put("SLUICE_OTLP_HTTP_PORT", "0"); // 4318 may be taken by another Sluice
        pb.environment().put("SLUICE_EMBEDDED_PG_PORT", Integer.toString(pgPort));
        pb.environment().put("SLUICE_EMBEDDED_PG_SHARED_BUFFERS", "32MiB");
        pb.environment().put("SLUICE_WRITER_LINGER", "0ms");
        Process sluice = pb.start();
        try {
            URI base = URI.create("http://127.0.0.1:" + port);
            awaitReady(base, sluice, log);
            long seed = Long.getLong("fuzz.seed", System.nanoTime());
            System.out.println("HTTP fuzz seed " + seed + " (replay: -Dfuzz.seed=" + seed + ")");
            HttpFuzz.Report r = new HttpFuzz(base, seed).run(CASES, 4);
            System.out.printf("HTTP fuzz: %d requests, answers %s, %d good samples had to be stored, %.1f s%n",
                    r.cases(), r.statuses(), r.mustKeep(), r.nanos() / 1e9);
            assertThat(r.mustKeep()).isGreaterThan(CASES / 8);
            assertThat(r.statuses()).containsKeys(204, 400, 415);
            String text = Files.readString(log);
            assertThat(text).as("Sluice's log").doesNotContain("\tat ").doesNotContain(" ERROR ");
        } finally {
            sluice.destroy();
            if (!sluice.waitFor(60, TimeUnit.SECONDS)) {
                sluice.destroyForcibly();
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static void awaitReady(URI base, Process sluice, Path log) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (System.nanoTime() < deadline) {
            assertThat(sluice.isAlive()).as("Sluice exited: %s", Files.exists(log) ? Files.readString(log) : "").isTrue();
            try (PlainHttp c = new PlainHttp(base, 2_000)) {
                if (c.get("/-/ready") == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // still starting
            }
            Thread.sleep(200);
        }
        throw new AssertionError("Sluice not ready within 180 s: " + Files.readString(log));
    }
}
