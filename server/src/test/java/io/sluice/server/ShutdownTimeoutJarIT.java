package io.sluice.server;

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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * SIGTERM while the database does not answer at all (its processes stopped with SIGSTOP, as a
 * hung host or a frozen VM would leave them) and the ring is full still ends the process within
 * {@code shutdown_timeout} plus its slack, and the log says what was not written. The waits of
 * the shutdown used to add up: here the StatsD flush alone waited the whole {@code http_ring_wait}
 * (a minute) for ring room that could not come, then each stuck writer its own timeout.
 */
class ShutdownTimeoutJarIT {
    private static final long SHUTDOWN_TIMEOUT_S = 2;

    @TempDir
    Path dir;

    @Test
    void aDatabaseThatStopsAnsweringDoesNotHoldShutdownPastItsLimit() throws Exception {
        int http = TestServer.freeTcpPort();
        int udp = TestServer.freeUdpPort();
        int statsd = StatsdIT.freePort();
        Path data = dir.resolve("data");
        Map<String, String> env = SluiceProcess.embedded(data, http, udp, statsd, TestServer.freeTcpPort());
        env.put("SLUICE_SHUTDOWN_TIMEOUT", SHUTDOWN_TIMEOUT_S + "s");
        env.putAll(Map.of("SLUICE_WRITERS", "4", "SLUICE_RING_SIZE", "64", "SLUICE_HTTP_RING_WAIT", "60s",
                "SLUICE_STATSD_FLUSH_INTERVAL", "1h"));
        List<Long> frozen = new ArrayList<>();
        try (SluiceProcess p = SluiceProcess.start(dir, "sluice", env)) {
            p.awaitStarted();
            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            assertThat(write(client, http, 0).join().statusCode()).isEqualTo(204);

            long postmaster = Long.parseLong(Files.readAllLines(data.resolve("pg").resolve("postmaster.pid")).get(0).trim());
            frozen.add(postmaster);
            ProcessHandle.of(postmaster).orElseThrow().descendants().forEach(h -> frozen.add(h.pid()));
            signal("-STOP", frozen);
            // Writes now reach the writers, whose COPY never gets an answer; none is acknowledged.
            List<CompletableFuture<HttpResponse<String>>> hanging = new ArrayList<>();
            for (int r = 1; r <= 8; r++) {
                hanging.add(write(client, http, r));
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> metric(client, http, "sluice_samples_received_total\\{transport=\"http_line\"\\}") == 900);
            // Then UDP fills the ring (64 slots of 256 samples), and StatsD holds an interval to flush.
            try (DatagramSocket sock = new DatagramSocket()) {
                for (int d = 0; d < 300; d++) {
                    send(sock, udp, "full,d=" + d + " value=1\n", 100);
                }
                send(sock, statsd, "frozen.count:1|c\n", 50);
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> metric(client, http, "sluice_ring_occupancy") == 64);

            long t0 = System.nanoTime();
            p.sigterm();
            await().atMost(Duration.ofSeconds(30)).until(() -> p.log().contains("shutting down"));
            p.sigterm();
            int exit = p.awaitExit(Duration.ofSeconds(90));
            long tookMs = (System.nanoTime() - t0) / 1_000_000;
            String log = p.log();
            System.out.println(log);
            long limitMs = (SHUTDOWN_TIMEOUT_S + SluiceServer.SHUTDOWN_SLACK.toSeconds()) * 1000;
            // The bound under test is shutdown_timeout + SHUTDOWN_SLACK; 3 s more for the JVM's own exit.
            assertThat(tookMs).as(log).isLessThan(limitMs + 3_000);
            assertThat(exit).as(log).isEqualTo(143);
            assertThat(log).contains("SIGTERM again").contains("ring drained [drained=false")
                    .contains("samples left unwritten").contains("drained=false, ms=");
            Matcher left = Pattern.compile("ringSamplesLeft=(\\d+)").matcher(log);
            assertThat(left.find() && Long.parseLong(left.group(1)) > 0).as("what was left is said").isTrue();
            for (CompletableFuture<HttpResponse<String>> h : hanging) {
                assertThat(h.handle((r, e) -> r == null || r.statusCode() != 204).get(30, TimeUnit.SECONDS))
                        .as("no write is acknowledged that was not committed").isTrue();
            }
        } finally {
            signal("-CONT", frozen); // the postmaster then carries out the stop it was sent, and exits
        }
    }

    private static CompletableFuture<HttpResponse<String>> write(HttpClient client, int port, int req) {
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < 100; i++) {
            body.append("frozen,req=").append(req).append(",i=").append(i).append(" value=").append(i).append('\n');
        }
        return client.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/write"))
                .timeout(Duration.ofSeconds(120)).POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The value of the first line of {@code /-/metrics} whose name and labels match {@code series}, or -1. */
    private static long metric(HttpClient client, int port, String series) throws Exception {
        String text = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/-/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        Matcher m = Pattern.compile("(?m)^" + series + " (\\d+)").matcher(text);
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    /** A datagram of {@code lines} copies of {@code line}. */
    private static void send(DatagramSocket sock, int port, String line, int lines) throws Exception {
        byte[] b = line.repeat(lines).getBytes(StandardCharsets.UTF_8);
        sock.send(new DatagramPacket(b, b.length, InetAddress.getLoopbackAddress(), port));
    }

    private static void signal(String sig, List<Long> pids) throws Exception {
        if (pids.isEmpty()) {
            return;
        }
        List<String> cmd = new ArrayList<>(List.of("kill", sig));
        pids.forEach(p -> cmd.add(Long.toString(p)));
        new ProcessBuilder(cmd).inheritIO().start().waitFor(10, TimeUnit.SECONDS);
    }
}
