package io.sluice.server;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * UDP carries no token, so each listener takes datagrams only from its allow list (README
 * "UDP"): here 127.0.0.2 alone; 127.0.0.1 is refused, counted, and stores nothing.
 */
class UdpAllowIT {
    static TestServer s;

    static int statsd;

    @BeforeAll
    static void start() throws Exception {
        statsd = StatsdIT.freePort();
        s = TestServer.start("udpallow", Map.of("udp_allow", "127.0.0.2/32", "statsd_port", Integer.toString(statsd),
                "statsd_flush_interval", "1s"));
    }

    @AfterAll
    static void stop() {
        s.close();
    }

    static void send(String from, int port, String text) throws Exception {
        try (DatagramSocket sock = new DatagramSocket(new InetSocketAddress(from, 0))) {
            byte[] b = text.getBytes(StandardCharsets.UTF_8);
            sock.send(new DatagramPacket(b, b.length, InetAddress.getByName("127.0.0.1"), port));
        }
    }

    @Test
    void everyUdpListenerTakesOnlyItsAllowedSources() throws Exception {
        send("127.0.0.1", s.server.udpLinePort(), "udp_refused value=1\n");
        send("127.0.0.1", s.server.udpJsonPort(), "{\"metric\":\"udp_refused_json\",\"value\":1}");
        send("127.0.0.2", s.server.udpLinePort(), "udp_allowed value=1\n");
        send("127.0.0.2", s.server.udpJsonPort(), "{\"metric\":\"udp_allowed_json\",\"value\":1}");
        await().atMost(Duration.ofSeconds(10)).until(() -> s.count("SELECT count(*) FROM metrics WHERE metric LIKE 'udp_allowed%'") == 2);
        await().atMost(Duration.ofSeconds(10)).until(() -> s.metric("sluice_sources_refused_total", "transport", "udp_line") == 1
                && s.metric("sluice_sources_refused_total", "transport", "udp_json") == 1);
        assertThat(s.count("SELECT count(*) FROM series WHERE metric LIKE 'udp_refused%'")).isZero();
        assertThat(s.metric("sluice_udp_datagrams_total", "transport", "udp_line")).isEqualTo(1);
    }

    @Test
    void statsdOverUdpAndTcpIsLimitedTheSameWay() throws Exception {
        send("127.0.0.1", statsd, "statsd_refused:1|c");
        send("127.0.0.2", statsd, "statsd_allowed:1|c");
        try (Socket refused = new Socket()) {
            refused.bind(new InetSocketAddress("127.0.0.1", 0));
            refused.connect(new InetSocketAddress("127.0.0.1", statsd));
            refused.setSoTimeout(10_000);
            refused.getOutputStream().write("statsd_tcp_refused:1|c\n".getBytes(StandardCharsets.UTF_8));
            int read;
            try {
                read = refused.getInputStream().read();
            } catch (java.net.SocketException reset) {
                read = -1; // closed with our line unread: a reset
            }
            assertThat(read).as("closed by Sluice").isEqualTo(-1);
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> s.count("SELECT count(*) FROM series WHERE metric LIKE 'statsd_allowed%'") > 0);
        assertThat(s.metric("sluice_sources_refused_total", "transport", "udp_statsd")).isEqualTo(1);
        assertThat(s.metric("sluice_sources_refused_total", "transport", "tcp_statsd")).isEqualTo(1);
        assertThat(s.count("SELECT count(*) FROM series WHERE metric LIKE 'statsd_%refused%'")).isZero();
    }
}
