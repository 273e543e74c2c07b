package io.sluice.server;

import io.sluice.storage.db.EmbeddedDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The database goes down: the ring fills, UDP drops and counts, HTTP answers 503 with
 * Retry-After, the process stays up, and writes resume when the database returns.
 */
class BackpressureIT {
    @TempDir
    Path dir;

    @Test
    void aFullRingSheds503AndCountedDropsThenRecovers() throws Exception {
        int pgPort = TestServer.freeTcpPort();
        EmbeddedDatabase db = EmbeddedDatabase.start(dir, pgPort, EmbeddedDatabase.DEFAULT_SHARED_BUFFERS);
        String url = "jdbc:postgresql://localhost:" + pgPort + "/postgres?user=postgres";
        TestServer s = TestServer.start(url, db.url(), Map.of("ring_size", "64", "writers", "1",
                "writer_batch_size", "100", "http_ring_wait", "200ms", "http_ack_timeout", "2s"));
        try {
            assertThat(s.post("/write", "bp,host=a value=1").statusCode()).isEqualTo(204);
            db.close();

            // An acknowledged write cannot come while the database is down: 503 after the ack timeout.
            HttpResponse<String> waiting = s.post("/write", "bp,host=a value=2.5");
            assertThat(waiting.statusCode()).isEqualTo(503);
            assertThat(waiting.headers().firstValue("retry-after")).isPresent();
            assertThat(waiting.body()).contains("nothing of it is stored");

            try (DatagramSocket sock = new DatagramSocket()) {
                for (int d = 0; d < 200; d++) {
                    StringBuilder sb = new StringBuilder();
                    for (int i = 0; i < 50; i++) {
                        sb.append("bp,host=a value=").append(i).append('\n');
                    }
                    byte[] b = sb.toString().getBytes(StandardCharsets.UTF_8);
                    sock.send(new DatagramPacket(b, b.length, InetAddress.getLoopbackAddress(), s.server.udpLinePort()));
                    Thread.sleep(1);
                }
            }
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> s.metric("sluice_samples_dropped_total", "reason", "ring_full") > 0);

            HttpResponse<String> full = s.post("/write", "bp,host=a value=3\n".repeat(1500));
            assertThat(full.statusCode()).isEqualTo(503);
            assertThat(full.headers().firstValue("retry-after")).contains("1");
            assertThat(full.body()).contains("ingest buffer full");
            assertThat(s.metric("sluice_http_writes_refused_total", "reason", "ring_full")).isPositive();
            assertThat(s.get("/-/healthy").statusCode()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(30)).until(() -> s.get("/-/ready").statusCode() == 503);

            db = EmbeddedDatabase.start(dir, pgPort, EmbeddedDatabase.DEFAULT_SHARED_BUFFERS);
            await().atMost(Duration.ofSeconds(30)).until(() -> s.get("/-/ready").statusCode() == 200);
            await().atMost(Duration.ofSeconds(30)).until(() -> s.metric("sluice_ring_occupancy") == 0);
            // The write answered 503 for its ack timeout was withdrawn: a retry stores it once.
            assertThat(s.count("SELECT count(*) FROM metrics WHERE metric = 'bp' AND value = 2.5")).isZero();
            assertThat(s.metric("sluice_samples_dropped_total", "reason", "withdrawn")).isEqualTo(1);
            assertThat(s.post("/write", "bp,host=z value=9").statusCode()).isEqualTo(204);
            assertThat(s.count("SELECT count(*) FROM metrics WHERE metric = 'bp' AND tags->>'host' = 'z'")).isEqualTo(1);
        } finally {
            s.close();
            db.close();
        }
    }
}
