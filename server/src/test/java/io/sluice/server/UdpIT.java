package io.sluice.server;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** UDP line protocol and JSON datagrams, over real sockets. */
class UdpIT {
    /** Generous: the build machine is shared; nothing here is a speed claim. */
    private static final Duration PATIENCE = Duration.ofSeconds(30);

    static TestServer s;

    @BeforeAll
    static void start() throws Exception {
        s = TestServer.start("udp", Map.of());
    }

    @AfterAll
    static void stop() {
        s.close();
    }

    static void send(int port, String payload) throws Exception {
        try (DatagramSocket sock = new DatagramSocket()) {
            byte[] b = payload.getBytes(StandardCharsets.UTF_8);
            sock.send(new DatagramPacket(b, b.length, InetAddress.getLoopbackAddress(), port));
        }
    }

    @Test
    void lineProtocolDatagramsLandExactlyOnce() throws Exception {
        send(s.server.udpLinePort(), "mem,host=a used=42\n");
        await().atMost(PATIENCE)
                .until(() -> s.count("SELECT count(*) FROM metrics WHERE metric = 'mem_used'") == 1);
        try (DatagramSocket sock = new DatagramSocket()) {
            for (int d = 0; d < 100; d++) {
                StringBuilder sb = new StringBuilder();
                for (int i = 0; i < 20; i++) {
                    sb.append("udpmany,host=h").append(i).append(" value=").append(d * 20 + i).append('\n');
                }
                byte[] b = sb.toString().getBytes(StandardCharsets.UTF_8);
                sock.send(new DatagramPacket(b, b.length, InetAddress.getLoopbackAddress(), s.server.udpLinePort()));
            }
        }
        await().atMost(PATIENCE).until(() -> s.count("SELECT count(*) FROM metrics WHERE metric = 'udpmany'") >= 2000);
        Thread.sleep(200);
        assertThat(s.count("SELECT count(*) FROM metrics WHERE metric = 'udpmany'")).isEqualTo(2000);
        assertThat(s.count("SELECT count(DISTINCT value) FROM metrics WHERE metric = 'udpmany'")).isEqualTo(2000);
    }

    @Test
    void apiPerformanceJsonDatagramLandsAsATaggedSample() throws Exception {
        send(s.server.udpJsonPort(), "{\"route\":\"/health\",\"method\":\"GET\",\"time\":150.2,\"status\":200}");
        await().atMost(PATIENCE)
                .until(() -> s.count("SELECT count(*) FROM metrics WHERE metric = 'api_response_time'"
                        + " AND tags->>'route' = '/health' AND tags->>'method' = 'GET' AND tags->>'status' = '200'"
                        + " AND value = 150.2") == 1);
    }

    @Test
    void badDatagramsAreCountedAndTheGoodLinesInThemStillLand() throws Exception {
        long before = s.metric("sluice_samples_rejected_total", "reason", "parse");
        send(s.server.udpLinePort(), "udpbad value=1\nthis is not line protocol\nudpbad value=2\n");
        send(s.server.udpJsonPort(), "{not json");
        await().atMost(PATIENCE)
                .until(() -> s.count("SELECT count(*) FROM metrics WHERE metric = 'udpbad'") == 2);
        await().atMost(PATIENCE)
                .until(() -> s.metric("sluice_samples_rejected_total", "reason", "parse") >= before + 2);
    }

    /** 16 good samples then a bad one: before the fix the datagram threw in the handler. */
    static String sixteenGoodThenOneBad(String metric) {
        StringBuilder b = new StringBuilder("{\"samples\":[");
        for (int i = 0; i < 16; i++) {
            b.append("{\"metric\":\"").append(metric).append("\",\"value\":").append(i).append("},");
        }
        return b.append("{\"value\":1}]}").toString();
    }

    @Test
    void aJsonDatagramWithABadSampleAfterSixteenGoodOnesStoresTheSixteen() throws Exception {
        try (LogCapture logs = new LogCapture()) {
            send(s.server.udpJsonPort(), sixteenGoodThenOneBad("udp_sixteen"));
            await().atMost(PATIENCE)
                    .until(() -> s.count("SELECT count(*) FROM metrics WHERE metric = 'udp_sixteen'") == 16);
            assertThat(logs.stackTraces()).isEmpty();
        }
    }
}
