package io.sluice.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The packaged jar ({@code server/target/sluice.jar}, built before failsafe runs the *JarIT tests)
 * run as the README's first command does, {@code java -XX:+UseParallelGC -jar}, in a working directory of its own
 * (so no {@code config.toml} of the build is read), its output in a log file.
 */
final class SluiceProcess implements AutoCloseable {
    private static final Duration START = Duration.ofSeconds(120);

    final Process process;
    final Path logFile;
    private final Path dataDir;

    private SluiceProcess(Process process, Path logFile, Path dataDir) {
        this.process = process;
        this.logFile = logFile;
        this.dataDir = dataDir;
    }

    /**
     * Settings for a jar on its embedded PostgreSQL under {@code data} (small shared buffers), on
     * these ports, with UDP JSON and OTLP off.
     */
    static Map<String, String> embedded(Path data, int http, int udpLine, int statsd, int pg) {
        return new HashMap<>(Map.of("SLUICE_DATA_DIR", data.toString(), "SLUICE_HTTP_PORT", Integer.toString(http),
                "SLUICE_UDP_LINE_PORT", Integer.toString(udpLine), "SLUICE_UDP_JSON_PORT", "0",
                "SLUICE_OTLP_HTTP_PORT", "0", "SLUICE_STATSD_PORT", Integer.toString(statsd),
                "SLUICE_EMBEDDED_PG_PORT", Integer.toString(pg), "SLUICE_EMBEDDED_PG_SHARED_BUFFERS", "32MiB"));
    }

    /** Starts the jar with these {@code SLUICE_*} settings (nothing of the caller's database settings). */
    static SluiceProcess start(Path dir, String name, Map<String, String> env) throws IOException {
        String jar = System.getProperty("sluice.jar");
        assertThat(jar).as("sluice.jar (set by failsafe)").isNotNull();
        assertThat(Path.of(jar)).exists();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path log = dir.resolve(name + ".log");
        // The collector the README's first command picks (README, "The JVM").
        ProcessBuilder pb = new ProcessBuilder(java, "-XX:+UseParallelGC", "-Xmx512m", "-jar", jar).directory(dir.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        for (String k : new String[] {"SLUICE_DATABASE_URL", "DATABASE_URL", "TIMESCALE_URL", "SLUICE_CONFIG",
                "SLUICE_REDIS_URL", "REDIS_URL", "PORT"}) {
            pb.environment().remove(k);
        }
        pb.environment().putAll(env);
        String data = env.get("SLUICE_DATA_DIR");
        return new SluiceProcess(pb.start(), log, data == null ? null : Path.of(data));
    }

    String log() {
        try {
            return Files.exists(logFile) ? Files.readString(logFile) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void awaitStarted() {
        await().atMost(START).until(() -> log().contains("Sluice started") || !process.isAlive());
        assertThat(process.isAlive()).as(log()).isTrue();
    }

    /** SIGTERM, as systemd, Docker and Kubernetes stop a process. */
    void sigterm() {
        process.destroy();
    }

    /** Waits for the process to end; fails (showing the log) if it has not within {@code limit}. */
    int awaitExit(Duration limit) throws InterruptedException {
        boolean ended = process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(ended).as("exited within " + limit + "\n" + log()).isTrue();
        return process.exitValue();
    }

    /**
     * Stops the process if a test left it running: SIGTERM, then SIGKILL; then its embedded
     * PostgreSQL, which runs in a session of its own and would outlive a SIGKILL.
     */
    @Override
    public void close() throws Exception {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        Path pid = dataDir == null ? null : dataDir.resolve("pg").resolve("postmaster.pid");
        if (pid != null && Files.exists(pid)) {
            long postmaster = Long.parseLong(Files.readAllLines(pid).get(0).trim());
            ProcessHandle.of(postmaster).ifPresent(ProcessHandle::destroy); // SIGTERM: PostgreSQL's smart shutdown
        }
    }
}
