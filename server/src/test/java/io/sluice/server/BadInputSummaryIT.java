package io.sluice.server;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The log's summary of refused input names the client that sent it ({@code peer=}, its address),
 * as the HTTP warnings do, for each protocol and transport: remote write and OTLP over HTTP,
 * line protocol over UDP, StatsD over TCP. Before, it said which protocol and what was wrong,
 * never whose input it was.
 */
class BadInputSummaryIT {
    private static final byte[] GARBAGE = {(byte) 0xff, 0x01, 0x02, 0x03, 0x04, 0x05};

    private static String summary(LogCapture logs, String protocol) {
        List<ILoggingEvent> lines = logs.containing("bad input refused").stream()
                .filter(e -> e.getFormattedMessage().contains("[protocol=" + protocol + ","))
                .filter(e -> e.getLevel() == Level.WARN).toList();
        return lines.isEmpty() ? null : lines.get(0).getFormattedMessage();
    }

    @Test
    void eachProtocolsBadInputSummaryNamesTheClient() throws Exception {
        int statsd = StatsdIT.freePort();
        int otlp = TestServer.freeTcpPort();
        try (LogCapture logs = new LogCapture();
             TestServer s = TestServer.start("bad_input_peer", Map.of("statsd_port", Integer.toString(statsd),
                     "otlp_http_port", Integer.toString(otlp)))) {
            HttpResponse<String> rw = s.http.send(HttpRequest.newBuilder(s.uri("/api/v1/write"))
                    .header("Content-Type", "application/x-protobuf").header("Content-Encoding", "snappy")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(GARBAGE)).timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(rw.statusCode()).as(rw.body()).isEqualTo(400);

            HttpResponse<String> ot = s.http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + otlp + "/v1/metrics"))
                    .header("Content-Type", "application/x-protobuf")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(GARBAGE)).timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(ot.statusCode()).as(ot.body()).isEqualTo(400);

            try (DatagramSocket udp = new DatagramSocket()) {
                byte[] b = "peer_test value=1\nno fields here\n".getBytes(StandardCharsets.UTF_8);
                udp.send(new DatagramPacket(b, b.length, InetAddress.getLoopbackAddress(), s.server.udpLinePort()));
            }
            try (Socket tcp = new Socket(InetAddress.getLoopbackAddress(), statsd)) {
                OutputStream out = tcp.getOutputStream();
                out.write("peer.ok:1|c\nnot a statsd line\n".getBytes(StandardCharsets.UTF_8));
                out.flush();
                await().atMost(Duration.ofSeconds(30)).until(() -> summary(logs, "statsd") != null);
            }

            for (String protocol : new String[] {"prometheus", "otlp", "influx", "statsd"}) {
                await().atMost(Duration.ofSeconds(30)).until(() -> summary(logs, protocol) != null);
                assertThat(summary(logs, protocol)).as(protocol).contains("peer=127.0.0.1,");
            }
        }
    }
}
