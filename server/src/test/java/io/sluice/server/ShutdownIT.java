package io.sluice.server;

import io.sluice.storage.TestDatabase;
import io.sluice.storage.db.DatabaseUrl;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * SIGTERM to a real Sluice process drains the ring into the database before it exits, and a clean
 * stop logs no warning.
 */
class ShutdownIT {
    @TempDir
    Path dir;

    /** Sluice's main class as a process of its own on {@code db}, its output in {@code logFile}. */
    private static Process start(DatabaseUrl db, Path logFile, Map<String, String> settings) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                "io.sluice.server.Main").redirectErrorStream(true).redirectOutput(logFile.toFile());
        pb.environment().put("SLUICE_DATABASE_URL", db.jdbcUrl() + "?user=postgres");
        pb.environment().put("SLUICE_HTTP_PORT", Integer.toString(TestServer.freeTcpPort()));
        pb.environment().put("SLUICE_UDP_LINE_PORT", "0");
        pb.environment().put("SLUICE_UDP_JSON_PORT", "0");
        pb.environment().put("SLUICE_STATSD_PORT", "0"); // 8125 and 4318 may be taken by another run
        pb.environment().put("SLUICE_OTLP_HTTP_PORT", "0");
        pb.environment().putAll(settings);
        Process p = pb.start();
        await().atMost(Duration.ofSeconds(60)).until(() -> Files.readString(logFile).contains("Sluice started") || !p.isAlive());
        assertThat(p.isAlive()).as(Files.readString(logFile)).isTrue();
        return p;
    }

    @Test
    void sigtermDrainsEveryReceivedSampleToTheDatabase() throws Exception {
        DatabaseUrl db = TestDatabase.fresh("shutdown");
        int udp = TestServer.freeUdpPort();
        Path logFile = dir.resolve("sluice.log");
        // Writers hold partial batches for a while, so SIGTERM finds samples not yet written.
        Process p = start(db, logFile, Map.of("SLUICE_UDP_LINE_PORT", Integer.toString(udp), "SLUICE_WRITER_LINGER", "2s",
                "SLUICE_WRITER_BATCH_SIZE", "100000"));
        try {
            try (DatagramSocket sock = new DatagramSocket()) {
                for (int d = 0; d < 200; d++) {
                    StringBuilder sb = new StringBuilder();
                    for (int i = 0; i < 50; i++) {
                        sb.append("drain,host=h").append(i % 10).append(" value=").append(d * 50 + i).append('\n');
                    }
                    byte[] b = sb.toString().getBytes(StandardCharsets.UTF_8);
                    sock.send(new DatagramPacket(b, b.length, InetAddress.getLoopbackAddress(), udp));
                }
            }
            Thread.sleep(300);
            p.destroy(); // SIGTERM
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        } finally {
            p.destroyForcibly();
        }
        String log = Files.readString(logFile);
        Matcher m = Pattern.compile("stopped \\[received=(\\d+), written=(\\d+), rejected=(\\d+), dropped=(\\d+)").matcher(log);
        assertThat(m.find()).as("exit " + p.exitValue() + "\n" + log).isTrue();
        long received = Long.parseLong(m.group(1));
        long written = Long.parseLong(m.group(2));
        assertThat(received).as("datagrams reached the server").isPositive();
        assertThat(written).isEqualTo(received);
        assertThat(Long.parseLong(m.group(4))).isZero();
        assertThat(TestDatabase.count(db, "SELECT count(*) FROM metrics WHERE metric = 'drain'")).isEqualTo(received);
        assertThat(log).contains("ring drained [drained=true");
        assertThat(log).as("the readiness probe is stopped before the pool closes").doesNotContain("database unreachable");
    }

    /**
     * A clean stop says nothing alarming, even with the rollup refresh under way as SIGTERM comes
     * (here it waits on a lock this test holds): scheduled database work is stopped and waited for
     * before the pool closes. The pool used to close under it: {@code WARN ... rollup refresh
     * failed, will retry [error=...Connection is closed]}.
     */
    @Test
    void aCleanStopWithDataWrittenLogsNoWarningEvenWithTheRollupRefreshUnderWay() throws Exception {
        DatabaseUrl db = TestDatabase.fresh("shutdown_quiet");
        Path logFile = dir.resolve("quiet.log");
        int port = TestServer.freeTcpPort();
        Process p = start(db, logFile, Map.of("SLUICE_HTTP_PORT", Integer.toString(port)));
        try (Connection lock = TestDatabase.connect(db)) {
            HttpClient http = HttpClient.newHttpClient();
            StringBuilder lines = new StringBuilder();
            long now = System.currentTimeMillis();
            for (int i = 0; i < 500; i++) {
                lines.append("quiet,host=h").append(i % 5).append(" value=").append(i).append(' ').append(now - i * 1000L)
                        .append('\n');
            }
            HttpResponse<String> w = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                    + "/write?precision=ms")).POST(HttpRequest.BodyPublishers.ofString(lines.toString())).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(w.statusCode()).as(w.body()).isEqualTo(204);

            // The refresh (5 s after the start, then every 30 s) reads its watermarks: it waits here.
            lock.setAutoCommit(false);
            try (Statement st = lock.createStatement()) {
                st.execute("LOCK TABLE rollup_state IN ACCESS EXCLUSIVE MODE");
            }
            await().atMost(Duration.ofSeconds(90)).until(() -> TestDatabase.count(db, "SELECT count(*) FROM pg_stat_activity"
                    + " WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%rollup_state%'") > 0);
            p.destroy(); // SIGTERM
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                String log = Files.readString(logFile);
                return log.contains("waiting for background database work") || log.contains(" WARN ")
                        || log.contains(" ERROR ") || !p.isAlive();
            });
            lock.rollback(); // the refresh goes on and ends
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        } finally {
            p.destroyForcibly();
        }
        String log = Files.readString(logFile);
        assertThat(log).contains("ring drained [drained=true").contains("stopped [received=500, written=500")
                .contains("waiting for background database work to end before the pool closes [tasks=[maintenance]")
                .doesNotContain("cut short");
        assertThat(log.lines().filter(l -> l.matches("^\\S+ (WARN|ERROR) .*"))).as(log).isEmpty();
        assertThat(TestDatabase.count(db, "SELECT count(*) FROM metrics WHERE metric = 'quiet'")).isEqualTo(500);
    }
}
