package io.sluice.server;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Connection hygiene (README "Connections"): 2,000 connections from one address that each send
 * half a request are closed by the header timeout, while a client on another address keeps
 * writing; the per-address caps refuse what is past them at once.
 */
class SlowlorisIT {
    static final byte[] HALF = "POST /write HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/plain\r\n"
            .getBytes(StandardCharsets.US_ASCII);

    TestServer s;
    final List<SocketChannel> open = new ArrayList<>();

    @AfterEach
    void stop() throws IOException {
        for (SocketChannel c : open) {
            c.close();
        }
        if (s != null) {
            s.close();
        }
    }

    /** Connections from {@code from}, each having sent half a request's head. */
    List<SocketChannel> halfRequests(String from, int n) throws IOException {
        List<SocketChannel> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            SocketChannel c = SocketChannel.open();
            open.add(c);
            c.bind(new InetSocketAddress(from, 0));
            c.connect(new InetSocketAddress("127.0.0.1", s.server.httpPort()));
            try {
                c.write(ByteBuffer.wrap(HALF));
            } catch (IOException refusedAlready) {
                // closed by the server the moment it was accepted: counted below as closed
            }
            c.configureBlocking(false);
            out.add(c);
        }
        return out;
    }

    /** Waits until the server has closed every one (end of stream, after any 408 it wrote). */
    static void awaitClosed(List<SocketChannel> conns, Duration within) throws IOException {
        try (Selector sel = Selector.open()) {
            for (SocketChannel c : conns) {
                c.register(sel, SelectionKey.OP_READ);
            }
            ByteBuffer buf = ByteBuffer.allocate(4096);
            int left = conns.size();
            long end = System.nanoTime() + within.toNanos();
            while (left > 0 && System.nanoTime() < end) {
                sel.select(200);
                for (SelectionKey k : sel.selectedKeys()) {
                    SocketChannel c = (SocketChannel) k.channel();
                    int n;
                    try {
                        buf.clear();
                        n = c.read(buf);
                    } catch (IOException reset) {
                        n = -1;
                    }
                    if (n < 0) {
                        k.cancel();
                        left--;
                    }
                }
                sel.selectedKeys().clear();
            }
            assertThat(left).as("connections still open after " + within).isZero();
        }
    }

    long write(HttpClient client, int i) throws Exception {
        long t0 = System.nanoTime();
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(s.uri("/write"))
                .POST(HttpRequest.BodyPublishers.ofString("steady,i=" + i + " value=1\n")).timeout(Duration.ofSeconds(30))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(204);
        return (System.nanoTime() - t0) / 1_000_000;
    }

    @Test
    void twoThousandHalfRequestsAreClosedByTheHeaderTimeoutWhileAClientWrites() throws Exception {
        s = TestServer.start("slowloris", Map.of("http_header_timeout", "3s", "max_connections_per_ip", "4000"));
        HttpClient client = HttpClient.newHttpClient();
        List<Long> before = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            before.add(write(client, i));
        }
        long t0 = System.nanoTime();
        List<SocketChannel> attack = halfRequests("127.0.0.2", 2000);
        long opened = (System.nanoTime() - t0) / 1_000_000;
        List<Long> during = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            during.add(write(client, 100 + i));
        }
        awaitClosed(attack, Duration.ofSeconds(60));
        Collections.sort(before);
        Collections.sort(during);
        System.out.printf("slowloris: 2000 half-requests opened in %d ms; writes p50 %d ms before, %d ms during, max %d ms%n",
                opened, before.get(10), during.get(10), during.get(19));
        assertThat(s.metric("sluice_http_connections_closed_total", "reason", "header_timeout")).isEqualTo(2000);
        assertThat(s.count("SELECT count(*) FROM metrics WHERE metric = 'steady'")).isEqualTo(40);
        // Generous: the point is that the writes went through while 2,000 connections were held.
        assertThat(during.get(10)).isLessThan(5_000);
    }

    @Test
    void connectionsAndViewersPastTheirPerAddressCapsAreRefusedAtOnce() throws Exception {
        s = TestServer.start("conncap", Map.of("max_connections_per_ip", "50", "live_max_viewers_per_ip", "2"));
        List<SocketChannel> attack = halfRequests("127.0.0.3", 60);
        await().atMost(Duration.ofSeconds(10)).until(() ->
                s.metric("sluice_http_connections_refused_total", "reason", "max_connections_per_ip") == 10);
        // Another address is not affected.
        assertThat(write(HttpClient.newHttpClient(), 1)).isNotNegative();
        for (SocketChannel c : attack) {
            c.close();
        }
        URI live = URI.create("ws://127.0.0.1:" + s.server.httpPort() + "/v1/live");
        try (WsClient a = new WsClient(HttpClient.newHttpClient(), live, true);
             WsClient b = new WsClient(HttpClient.newHttpClient(), live, true)) {
            assertThatThrownBy(() -> new WsClient(HttpClient.newHttpClient(), live, true))
                    .isInstanceOf(ExecutionException.class).cause().isInstanceOf(WebSocketHandshakeException.class)
                    .satisfies(c -> assertThat(((WebSocketHandshakeException) c).getResponse().statusCode()).isEqualTo(429));
            assertThat(s.metric("sluice_live_viewers_refused_total")).isEqualTo(1);
        }
    }

    @Test
    void anIdleKeepAliveConnectionIsClosedAndASlowBodyIsAnswered408() throws Exception {
        s = TestServer.start("idle", Map.of("http_idle_timeout", "1s", "http_header_timeout", "1s", "http_body_min_rate", "1000"));
        try (RawHttp c = new RawHttp(s.server.httpPort())) {
            assertThat(c.send(RawHttp.post("/write", "idle value=1\n")).read().status()).isEqualTo(204);
            await().atMost(Duration.ofSeconds(20)).until(c::closedByServer);
        }
        try (RawHttp c = new RawHttp(s.server.httpPort())) {
            c.send("POST /write HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100000\r\n\r\nslow value=1\n".getBytes());
            RawHttp.Response r = c.read();
            assertThat(r.status()).isEqualTo(408);
            assertThat(r.body()).contains("http_body_min_rate");
        }
        assertThat(s.metric("sluice_http_connections_closed_total", "reason", "idle_timeout")).isEqualTo(1);
        assertThat(s.metric("sluice_http_connections_closed_total", "reason", "body_too_slow")).isEqualTo(1);
        assertThat(s.count("SELECT count(*) FROM series WHERE metric = 'slow'")).isZero();
    }
}
