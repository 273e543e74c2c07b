package io.sluice.server;

import ch.qos.logback.classic.Level;
import io.sluice.server.StoredRows.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Debian's Prometheus 2.42, unchanged, scraping itself with {@code remote_write} to Sluice: its
 * binary run directly with its own configuration and data directory in a temporary directory, on
 * a free port, never as the system service ({@code .ci/run} installs the package). Its rows land
 * with their labels, and neither side logs an error or counts a failed sample.
 */
class PrometheusIT {
    private static final Path BINARY = Path.of("/usr/bin/prometheus");

    @Test
    void prometheusRemoteWritesItsOwnMetricsAndNothingFails(@TempDir Path dir) throws Exception {
        assumeTrue(Files.isExecutable(BINARY), "needs Debian's prometheus package (.ci/run installs it)");
        try (TestServer s = TestServer.start("prometheus", Map.of()); LogCapture logs = new LogCapture()) {
            int port = TestServer.freeTcpPort();
            Files.writeString(dir.resolve("prometheus.yml"), """
                    global:
                      scrape_interval: 1s
                      evaluation_interval: 1s
                    scrape_configs:
                      - job_name: prometheus
                        static_configs:
                          - targets: ['127.0.0.1:%d']
                    remote_write:
                      - url: http://127.0.0.1:%d/api/v1/write
                        queue_config:
                          batch_send_deadline: 1s
                          min_backoff: 100ms
                    """.formatted(port, s.server.httpPort()));
            Path log = dir.resolve("prometheus.log");
            Process p = new ProcessBuilder(BINARY.toString(), "--config.file=" + dir.resolve("prometheus.yml"),
                    "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + port,
                    "--log.level=info")
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            try {
                await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).until(() ->
                        StoredRows.withPrefix(s.db, "prometheus_build_info").size() > 0
                                && StoredRows.withPrefix(s.db, "up").stream().anyMatch(r -> r.metric().equals("up")));
                List<Row> up = StoredRows.withPrefix(s.db, "up").stream().filter(r -> r.metric().equals("up")).toList();
                assertThat(up).isNotEmpty().allSatisfy(r -> {
                    assertThat(r.tags()).containsEntry("job", "prometheus").containsEntry("instance", "127.0.0.1:" + port);
                    assertThat(r.value()).isEqualTo(1);
                });
                assertThat(StoredRows.withPrefix(s.db, "prometheus_build_info").get(0).tags())
                        .containsKeys("version", "goversion", "job", "instance");
                assertThat(StoredRows.withPrefix(s.db, "prometheus_").stream().map(Row::metric).distinct().count())
                        .as("distinct prometheus_* metrics stored").isGreaterThan(50);
                // Prometheus' own view: samples sent, none failed or dropped.
                String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
                assertThat(sum(metrics, "prometheus_remote_storage_samples_total")).isGreaterThan(0);
                assertThat(sum(metrics, "prometheus_remote_storage_samples_failed_total")).isZero();
                assertThat(sum(metrics, "prometheus_remote_storage_samples_dropped_total")).isZero();
            } finally {
                p.destroy();
                if (!p.waitFor(30, TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            }
            String prometheusLog = Files.readString(log);
            assertThat(prometheusLog).as("Prometheus' log").contains("Server is ready to receive web requests");
            // Its one warning is the SIGTERM the test sends it.
            assertThat(prometheusLog.lines().filter(l -> l.contains("level=error")
                    || (l.contains("level=warn") && !l.contains("Received SIGTERM")))).as("Prometheus' warnings and errors").isEmpty();
            assertThat(logs.events().stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN)))
                    .as("Sluice's warnings and errors").isEmpty();
        }
    }

    /** The sum of a counter's series in a Prometheus text exposition (0 when absent). */
    private static double sum(String exposition, String name) {
        Matcher m = Pattern.compile("(?m)^" + name + "(\\{[^}]*})? (\\S+)$").matcher(exposition);
        double total = 0;
        while (m.find()) {
            total += Double.parseDouble(m.group(2));
        }
        return total;
    }
}
