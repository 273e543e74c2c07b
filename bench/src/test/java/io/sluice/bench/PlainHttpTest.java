package io.sluice.bench;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The harness's HTTP client against a real server on a real socket (the JDK's own). */
class PlainHttpTest {
    private HttpServer server;
    private final AtomicInteger requests = new AtomicInteger();

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/echo", ex -> {
            requests.incrementAndGet();
            byte[] in = ex.getRequestBody().readAllBytes();
            byte[] out = (ex.getRequestMethod() + " " + ex.getRequestURI() + " "
                    + ex.getRequestHeaders().getFirst("Content-Type") + " " + in.length)
                    .getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, out.length);
            ex.getResponseBody().write(out);
            ex.close();
        });
        server.createContext("/none", ex -> {
            ex.getRequestBody().readAllBytes();
            ex.sendResponseHeaders(204, -1);
            ex.close();
        });
        server.createContext("/chunked", ex -> {
            ex.sendResponseHeaders(200, 0); // length 0 here means chunked
            try (OutputStream os = ex.getResponseBody()) {
                for (int i = 0; i < 1000; i++) {
                    os.write(("line " + i + "\n").getBytes(StandardCharsets.UTF_8));
                    os.flush();
                }
            }
        });
        server.createContext("/close", ex -> {
            ex.getResponseHeaders().set("Connection", "close");
            byte[] out = "bye".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(503, out.length);
            ex.getResponseBody().write(out);
            ex.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private URI base() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    @Test
    void keepsOneConnectionForManyRequestsAndReadsEachBody() throws IOException {
        byte[] big = new byte[300_000];
        try (PlainHttp http = new PlainHttp(base(), 5_000)) {
            for (int i = 0; i < 5; i++) {
                assertThat(http.post("/echo?x=" + i, "text/plain", big)).isEqualTo(200);
                assertThat(http.body()).isEqualTo("POST /echo?x=" + i + " text/plain 300000");
                assertThat(http.post("/echo", "text/plain", "a b".getBytes(StandardCharsets.UTF_8))).isEqualTo(200);
                assertThat(http.body()).endsWith(" 3");
                assertThat(http.post("/none", "text/plain", big)).isEqualTo(204);
                assertThat(http.body()).isEmpty();
            }
            assertThat(http.get("/echo")).isEqualTo(200);
            assertThat(http.body()).isEqualTo("GET /echo null 0");
            assertThat(http.connects()).isEqualTo(1);
            assertThat(requests.get()).isEqualTo(11);
        }
    }

    @Test
    void readsChunkedBodies() throws IOException {
        try (PlainHttp http = new PlainHttp(base(), 5_000)) {
            assertThat(http.get("/chunked")).isEqualTo(200);
            assertThat(http.body().split("\n")).hasSize(1000).endsWith("line 999");
            // The connection is still in step: the next answer is read whole.
            assertThat(http.get("/echo")).isEqualTo(200);
            assertThat(http.body()).isEqualTo("GET /echo null 0");
            assertThat(http.connects()).isEqualTo(1);
        }
    }

    @Test
    void opensANewConnectionAfterTheServerClosesOne() throws IOException {
        try (PlainHttp http = new PlainHttp(base(), 5_000)) {
            assertThat(http.get("/close")).isEqualTo(503);
            assertThat(http.body()).isEqualTo("bye");
            assertThat(http.get("/echo")).isEqualTo(200);
            assertThat(http.connects()).isEqualTo(2);
        }
    }

    @Test
    void aBrokenAnswerFailsThatRequestAndTheNextOneReconnects() throws Exception {
        // A server that promises 100 bytes, sends 5 and hangs up, then answers properly.
        try (ServerSocket ss = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            Thread t = new Thread(() -> {
                try (Socket s = ss.accept()) {
                    s.getInputStream().read(new byte[4096]);
                    s.getOutputStream().write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nhello"
                            .getBytes(StandardCharsets.US_ASCII));
                } catch (IOException ignored) {
                    // the test's assertions say what happened
                }
                try (Socket s = ss.accept()) {
                    s.getInputStream().read(new byte[4096]);
                    s.getOutputStream().write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
                            .getBytes(StandardCharsets.US_ASCII));
                } catch (IOException ignored) {
                    // as above
                }
            });
            t.start();
            try (PlainHttp http = new PlainHttp(URI.create("http://127.0.0.1:" + ss.getLocalPort()), 5_000)) {
                assertThatThrownBy(() -> http.get("/")).isInstanceOf(IOException.class)
                        .hasMessageContaining("95 bytes before the end of the body");
                assertThat(http.get("/")).isEqualTo(200);
                assertThat(http.body()).isEqualTo("ok");
                assertThat(http.connects()).isEqualTo(2);
            }
            t.join(5_000);
        }
    }
}
