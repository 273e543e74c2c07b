package io.sluice.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * SIGTERM to {@code java -jar sluice.jar} on its embedded PostgreSQL (the README's first command)
 * writes everything first and stops the database last: every acknowledged HTTP sample, every UDP
 * sample received and the StatsD interval under way are there when the jar is started again on the
 * same data directory. (Until the embedding library's own exit hook was dropped, it stopped the
 * database while the ring was still draining, and all of these were lost.)
 */
class EmbeddedShutdownJarIT {
    private static final int HTTP_LINES = 200;
    private static final int STATSD_COUNTS = 1_000;

    @TempDir
    Path dir;

    @Test
    void sigtermOnTheEmbeddedDatabaseStoresEveryAcknowledgedSampleAndTheLastStatsdFlush() throws Exception {
        int http = TestServer.freeTcpPort();
        int udp = TestServer.freeUdpPort();
        int statsd = StatsdIT.freePort();
        int pg = TestServer.freeTcpPort();
        Map<String, String> env = SluiceProcess.embedded(dir.resolve("data"), http, udp, statsd, pg);
        // Writers hold UDP samples for a while, so SIGTERM finds them not yet written; the StatsD
        // interval is an hour, so only the shutdown flush writes it.
        env.put("SLUICE_WRITER_LINGER", "2s");
        env.put("SLUICE_WRITER_BATCH_SIZE", "100000");
        env.put("SLUICE_STATSD_FLUSH_INTERVAL", "1h");

        Set<Integer> acknowledged = ConcurrentHashMap.newKeySet();
        long received;
        try (SluiceProcess first = SluiceProcess.start(dir, "first", env)) {
            first.awaitStarted();
            // The README's first command answers on its local journal (write_ack = auto on the embedded database).
            assertThat(first.log()).contains("write_ack=local");
            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            for (int r = 0; r < 20; r++) {
                write(client, http, r, acknowledged);
            }
            assertThat(acknowledged).as(first.log()).hasSize(20);
            sendUdp(udp);
            try (Socket tcp = new Socket(InetAddress.getLoopbackAddress(), statsd)) {
                OutputStream out = tcp.getOutputStream();
                for (int i = 0; i < STATSD_COUNTS; i++) {
                    out.write("shutdown.count:1|c|#via:tcp\n".getBytes(StandardCharsets.UTF_8));
                }
                out.flush();
                await().atMost(Duration.ofSeconds(30)).until(() -> statsdReceived(client, http) >= STATSD_COUNTS);
            }
            // HTTP writes go on while Sluice stops: those answered 204 must be stored too.
            AtomicBoolean stop = new AtomicBoolean();
            Thread writer = new Thread(() -> {
                for (int r = 1_000; !stop.get(); r++) {
                    try {
                        write(client, http, r, acknowledged);
                    } catch (Exception refusedOrCut) {
                        return;
                    }
                }
            });
            writer.start();
            Thread.sleep(300);
            first.sigterm();
            await().atMost(Duration.ofSeconds(30)).until(() -> first.log().contains("shutting down"));
            first.sigterm(); // a second SIGTERM does not cut the drain short (ShutdownTimeoutJarIT sees its log line)
            int exit = first.awaitExit(Duration.ofSeconds(60));
            stop.set(true);
            writer.join(30_000);
            String log = first.log();
            System.out.println(log);
            assertThat(exit).as(log).isEqualTo(143);
            received = stopped(log, "received");
            assertThat(stopped(log, "written")).as(log).isEqualTo(received);
            assertThat(stopped(log, "dropped")).as(log).isZero();
            assertThat(log).contains("ring drained [drained=true").doesNotContain("batch write failed").doesNotContain("batch dropped");
            assertThat(log.indexOf("StatsD: the last interval flushed")).as(log).isPositive()
                    .isLessThan(log.indexOf("ring drained"));
            assertThat(log.indexOf("ring drained")).isLessThan(log.indexOf("embedded PostgreSQL stopped"));
        }

        try (SluiceProcess second = SluiceProcess.start(dir, "second", env)) {
            second.awaitStarted();
            try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + pg + "/postgres", "postgres", "")) {
                Map<Integer, Long> rowsPerRequest = new HashMap<>();
                try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                        "SELECT (tags->>'req')::int, count(*) FROM metrics WHERE metric = 'acked' GROUP BY 1")) {
                    while (rs.next()) {
                        rowsPerRequest.put(rs.getInt(1), rs.getLong(2));
                    }
                }
                assertThat(rowsPerRequest.keySet()).as("every acknowledged request is stored").containsAll(acknowledged);
                assertThat(new HashSet<>(rowsPerRequest.values())).as("each whole and once").containsOnly((long) HTTP_LINES);
                assertThat(count(c, "SELECT count(*) FROM metrics")).as("every sample received").isEqualTo(received);
                assertThat(count(c, "SELECT count(*) FROM metrics WHERE metric = 'udp'")).isPositive();
                assertThat(count(c, "SELECT sum(value) FROM metrics WHERE metric = 'shutdown_count'"))
                        .as("the StatsD interval under way, flushed at shutdown").isEqualTo(STATSD_COUNTS);
            }
            second.sigterm();
            assertThat(second.awaitExit(Duration.ofSeconds(60))).isEqualTo(143);
        }
    }

    /** One line-protocol request of {@link #HTTP_LINES} samples tagged {@code req}; noted if answered 204. */
    private static void write(HttpClient client, int port, int req, Set<Integer> acknowledged) throws Exception {
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < HTTP_LINES; i++) {
            body.append("acked,req=").append(req).append(",i=").append(i).append(" value=").append(i).append('\n');
        }
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/write"))
                .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 204) {
            acknowledged.add(req);
        }
    }

    private static void sendUdp(int port) throws Exception {
        try (DatagramSocket sock = new DatagramSocket()) {
            for (int d = 0; d < 200; d++) {
                StringBuilder sb = new StringBuilder();
                for (int i = 0; i < 50; i++) {
                    sb.append("udp,host=h").append(i % 10).append(" value=").append(d * 50 + i).append('\n');
                }
                byte[] b = sb.toString().getBytes(StandardCharsets.UTF_8);
                sock.send(new DatagramPacket(b, b.length, InetAddress.getLoopbackAddress(), port));
            }
        }
    }

    private static long statsdReceived(HttpClient client, int port) throws Exception {
        String text = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/-/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        Matcher m = Pattern.compile("(?m)^sluice_protocol_received_total\\{protocol=\"statsd\"\\} (\\d+)").matcher(text);
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    /** A figure of the shutdown's last line, {@code stopped [received=..., written=..., ...]}. */
    private static long stopped(String log, String key) {
        Matcher m = Pattern.compile("stopped \\[.*?\\b" + key + "=(\\d+)").matcher(log);
        assertThat(m.find()).as(log).isTrue();
        return Long.parseLong(m.group(1));
    }

    private static long count(Connection c, String sql) throws Exception {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
