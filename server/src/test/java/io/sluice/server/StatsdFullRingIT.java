package io.sluice.server;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.sluice.storage.TestDatabase;
import org.junit.jupiter.api.Test;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A StatsD flush into a ring that stays full (the database holding the writers back) waits
 * {@code http_ring_wait} for room, then is dropped, counted in
 * {@code sluice_protocol_dropped_total{protocol="statsd",reason="ring_full"}} and logged: never
 * silently. Flushes after the ring drained land again.
 */
class StatsdFullRingIT {
    private static final Duration PATIENCE = Duration.ofSeconds(60);

    @Test
    void aFlushIntoAFullRingIsDroppedCountedAndLoggedAndTheNextOnesLand() throws Exception {
        int port = StatsdIT.freePort();
        try (LogCapture logs = new LogCapture();
             TestServer s = TestServer.start("statsd_full_ring", Map.of("statsd_port", Integer.toString(port),
                     "statsd_flush_interval", "1s", "ring_size", "64", "http_ring_wait", "300ms", "writers", "1"));
             DatagramSocket sock = new DatagramSocket();
             Connection lock = TestDatabase.connect(s.db)) {
            // A transaction holding the samples table: the writer's COPY waits, the ring fills.
            lock.setAutoCommit(false);
            try (Statement st = lock.createStatement()) {
                st.execute("LOCK TABLE samples IN ACCESS EXCLUSIVE MODE");
            }
            int d = 0;
            while (s.metric("sluice_ring_occupancy") < s.metric("sluice_ring_capacity")) {
                send(sock, s.server.udpLinePort(), "fill,d=" + (d++ % 50) + " value=1\n", 200);
                if (d % 50 == 0) {
                    Thread.sleep(20);
                }
                assertThat(d).as("the ring fills").isLessThan(100_000);
            }
            send(sock, port, "lost.flush:1|c\n", 10);
            await().atMost(PATIENCE).until(() -> s.metric("sluice_protocol_dropped_total", "protocol", "statsd",
                    "reason", "ring_full") > 0);
            // The flusher counts the drop, then logs it: wait for the line too.
            String line = "StatsD flush: no room in the ring within http_ring_wait";
            await().atMost(PATIENCE).until(() -> !logs.containing(line).isEmpty());
            List<ILoggingEvent> warned = logs.containing(line);
            assertThat(warned.get(0).getLevel()).isEqualTo(Level.WARN);
            assertThat(warned.get(0).getFormattedMessage()).contains("dropped=2"); // lost_flush and lost_flush_rate

            lock.rollback();
            await().atMost(PATIENCE).until(() -> s.metric("sluice_ring_occupancy") == 0);
            long droppedBefore = s.metric("sluice_protocol_dropped_total", "protocol", "statsd", "reason", "ring_full");
            send(sock, port, "after.drain:1|c\n", 5);
            await().atMost(PATIENCE).until(() -> TestDatabase.count(s.db,
                    "SELECT coalesce(sum(value), 0) FROM metrics WHERE metric = 'after_drain'") == 5);
            assertThat(s.metric("sluice_protocol_dropped_total", "protocol", "statsd", "reason", "ring_full"))
                    .isEqualTo(droppedBefore);
            assertThat(TestDatabase.count(s.db, "SELECT count(*) FROM metrics WHERE metric LIKE 'lost_flush%'"))
                    .as("what was counted as dropped is not stored").isZero();
        }
    }

    /** One datagram of {@code copies} times {@code line}. */
    private static void send(DatagramSocket sock, int port, String line, int copies) throws Exception {
        byte[] b = line.repeat(copies).getBytes(StandardCharsets.UTF_8);
        sock.send(new DatagramPacket(b, b.length, InetAddress.getLoopbackAddress(), port));
    }
}
