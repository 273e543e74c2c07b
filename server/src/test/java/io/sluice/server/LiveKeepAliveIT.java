package io.sluice.server;

import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Idle viewers are pinged; a peer that never answers is closed; one that pongs stays. */
class LiveKeepAliveIT {
    @Test
    void aSilentPeerIsPingedThenClosedWhileAnAnsweringOneStays() throws Exception {
        try (TestServer s = TestServer.start("keepalive", Map.of("live_ping_interval", "1s"));
             WsClient answering = new WsClient(s.server.httpPort(), "/v1/live", true);
             Socket silent = new Socket("127.0.0.1", s.server.httpPort())) {
            OutputStream out = silent.getOutputStream();
            out.write(("GET /v1/live HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = silent.getInputStream();
            byte[] head = new byte[12];
            assertThat(in.readNBytes(head, 0, 12)).isEqualTo(12);
            assertThat(new String(head, StandardCharsets.US_ASCII)).isEqualTo("HTTP/1.1 101");
            await().atMost(Duration.ofSeconds(30)).until(() -> s.metric("sluice_live_viewers") == 2);

            // The silent peer reads pings but never answers: after three intervals it is closed.
            silent.setSoTimeout(10_000);
            long t0 = System.nanoTime();
            boolean pinged = false;
            int b;
            byte[] buf = new byte[256];
            while ((b = in.read(buf)) >= 0) {
                for (int i = 0; i < b; i++) {
                    if ((buf[i] & 0x0F) == 0x9) {
                        pinged = true; // opcode 9: ping
                    }
                }
            }
            assertThat(pinged).isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(8));
            await().atMost(Duration.ofSeconds(30)).until(() -> s.metric("sluice_live_viewers") == 1);

            // The JDK client answers pings with pongs and is still served.
            answering.send("{\"type\":\"subscribe\",\"id\":\"k\",\"metrics\":[\"alive\"]}");
            answering.next("subscribed");
            s.post("/write", "alive value=1");
            assertThat(answering.next("samples").get("samples").get(0).get("value").asDouble()).isEqualTo(1);
        }
    }
}
