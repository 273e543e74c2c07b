package io.sluice.server;

import com.timgroup.statsd.Event;
import com.timgroup.statsd.NonBlockingStatsDClientBuilder;
import com.timgroup.statsd.ServiceCheck;
import com.timgroup.statsd.StatsDClient;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.statsd.StatsdConfig;
import io.micrometer.statsd.StatsdFlavor;
import io.micrometer.statsd.StatsdMeterRegistry;
import io.micrometer.statsd.StatsdProtocol;
import io.sluice.storage.TestDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

/**
 * StatsD end to end: real client libraries over real UDP and TCP sockets, a real Sluice, the
 * aggregates read back from PostgreSQL and compared with what was sent. Most tests use a flush
 * interval of an hour, so everything falls in one interval, and stop the server: shutdown
 * flushes the interval under way before the ring drains.
 */
class StatsdIT {
    private TestServer s;
    private int port;

    @AfterEach
    void stop() {
        if (s != null) {
            s.close();
        }
    }

    private void start(String flushInterval) throws Exception {
        port = freePort();
        s = TestServer.start("statsd", Map.of("statsd_port", Integer.toString(port),
                "statsd_flush_interval", flushInterval));
        assertThat(s.server.port("udp_statsd")).isEqualTo(port);
        assertThat(s.server.port("tcp_statsd")).isEqualTo(port);
    }

    /** A port free for both TCP and UDP. */
    static int freePort() throws IOException {
        for (int i = 0; i < 50; i++) {
            int p = TestServer.freeTcpPort();
            try (DatagramSocket d = new DatagramSocket(p)) {
                return p;
            } catch (IOException taken) {
                // try another
            }
        }
        throw new IOException("no port free for both TCP and UDP");
    }

    private long received() {
        return s.metric("sluice_protocol_received_total", "protocol", "statsd");
    }

    private void awaitReceived(long n) {
        await().atMost(Duration.ofSeconds(60)).until(() -> received() >= n);
    }

    /** Values of one metric's series with these tags, by metric, after the server stopped. */
    private Map<String, Double> stored(String where) throws Exception {
        Map<String, Double> m = new HashMap<>();
        try (Connection c = TestDatabase.connect(s.db); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT metric, sum(value) FROM metrics WHERE " + where + " GROUP BY metric")) {
            while (rs.next()) {
                m.put(rs.getString(1), rs.getDouble(2));
            }
        }
        return m;
    }

    private static double nearestRank(double[] sorted, double p) {
        int rank = (int) Math.ceil(p / 100 * sorted.length);
        return sorted[Math.max(rank, 1) - 1];
    }

    @Test
    void aDogStatsdClientsCountsTimingsGaugesAndSetsLandAsSent() throws Exception {
        start("1h");
        Random rnd = new Random(7);
        double[] latencies = new double[600];
        StatsDClient dog = new NonBlockingStatsDClientBuilder().hostname("127.0.0.1").port(port)
                .enableTelemetry(false).enableAggregation(false).constantTags("env:test").build();
        try {
            for (int i = 0; i < latencies.length; i++) {
                latencies[i] = rnd.nextInt(5000) / 8.0;
                dog.histogram("api.latency", latencies[i], "route:/v1/query");
                dog.count("api.requests", 1, "route:/v1/query");
                if (i % 3 == 0) {
                    dog.count("api.errors", 2, "route:/v1/query", "canary");
                }
                dog.recordSetValue("api.users", "user-" + (i % 37));
            }
            dog.gauge("queue.depth", 42, "shard:3");
            dog.gauge("queue.depth", 17, "shard:3");
            dog.recordEvent(Event.builder().withTitle("deploy").withText("v1.2.3 rolled out").build());
            dog.serviceCheck(ServiceCheck.builder().withName("db.up").withStatus(ServiceCheck.Status.OK).build());
            // The client sends from a buffer of its own every 100 ms; stop() drops what it still holds.
            awaitReceived(600 + 600 + 200 + 600 + 2);
        } finally {
            dog.stop();
        }
        await().atMost(Duration.ofSeconds(60))
                .until(() -> s.metric("sluice_protocol_skipped_total", "protocol", "statsd", "what", "service_check") == 1);
        s.close();

        Map<String, Double> m = stored("tags->>'env' = 'test'");
        assertThat(m.get("api_requests")).isEqualTo(600);
        assertThat(m.get("api_errors")).isEqualTo(400);
        assertThat(m.get("api_users")).isEqualTo(37);
        assertThat(m.get("queue_depth")).isEqualTo(17);
        double[] sorted = latencies.clone();
        Arrays.sort(sorted);
        assertThat(m.get("api_latency_count")).isEqualTo(600);
        assertThat(m.get("api_latency_lower")).isEqualTo(sorted[0]);
        assertThat(m.get("api_latency_upper")).isEqualTo(sorted[599]);
        assertThat(m.get("api_latency_median")).isEqualTo((sorted[299] + sorted[300]) / 2);
        for (int p : new int[]{50, 90, 95, 99}) {
            assertThat(m.get("api_latency_" + p + "_percentile")).as("p%d", p).isEqualTo(nearestRank(sorted, p));
        }
        assertThat(m.get("api_latency_sum")).isCloseTo(Arrays.stream(latencies).sum(), within(1e-6));
        // Tags: DogStatsD's, the client's constant one, and metric_type as Telegraf names it.
        assertThat(s.count("SELECT count(*) FROM series WHERE metric = 'api_latency_90_percentile'"
                + " AND tags = '{\"env\":\"test\",\"route\":\"/v1/query\",\"metric_type\":\"histogram\"}'::jsonb")).isEqualTo(1);
        assertThat(s.count("SELECT count(*) FROM series WHERE metric = 'api_errors' AND tags->>'canary' = 'true'")).isEqualTo(1);
        assertThat(s.count("SELECT count(*) FROM series WHERE metric = 'api_requests_rate'")).isEqualTo(1);
        assertThat(s.metric("sluice_protocol_skipped_total", "protocol", "statsd", "what", "event")).isEqualTo(1);
    }

    @Test
    void anEtsyStyleClientRelativeGaugesAndSampleRatesOverUdp() throws Exception {
        start("1h");
        StatsdMeterRegistry etsy = registry(StatsdFlavor.ETSY, StatsdProtocol.UDP);
        double[] times = new double[250];
        try {
            long base = warmUp(etsy);
            Counter orders = etsy.counter("shop.orders");
            Timer checkout = etsy.timer("shop.checkout");
            for (int i = 0; i < times.length; i++) {
                times[i] = 1 + (i * 37) % 250;
                checkout.record(Duration.ofMillis((long) times[i]));
                orders.increment();
            }
            awaitReceived(base + 500);
        } finally {
            etsy.close();
        }
        long base = received();
        // Relative gauges and sampled traffic, as clients write them: a sampled value stands for 1/rate.
        try (DatagramSocket sock = new DatagramSocket()) {
            byte[] b = ("shop.stock:100|g\nshop.stock:-30|g\nshop.stock:+5|g\n"
                    + "shop.sampled:1|c|@0.25\nshop.sampled:1|c|@0.25\nshop.sampled_t:10|ms|@0.5").getBytes(StandardCharsets.UTF_8);
            sock.send(new DatagramPacket(b, b.length, InetAddress.getLoopbackAddress(), port));
        }
        awaitReceived(base + 6);
        s.close();

        // Micrometer's Etsy flavour names them shopOrders.statistic.count and shopCheckout.
        Map<String, Double> m = stored("metric LIKE 'shop%'");
        assertThat(m.get("shopOrders_statistic_count")).isEqualTo(250);
        assertThat(m.get("shopCheckout_count")).isEqualTo(250);
        double[] sorted = times.clone();
        Arrays.sort(sorted);
        assertThat(m.get("shopCheckout_90_percentile")).isEqualTo(nearestRank(sorted, 90));
        assertThat(m.get("shopCheckout_99_percentile")).isEqualTo(nearestRank(sorted, 99));
        assertThat(m.get("shop_stock")).isEqualTo(75);
        assertThat(m.get("shop_sampled")).isEqualTo(8);
        assertThat(m.get("shop_sampled_t_count")).isEqualTo(2);
    }

    /**
     * Micrometer's registry drops lines until its connection is up (asynchronous): a warm-up
     * counter goes out until the server has seen one, then a second for stragglers. Returns the
     * values received so far.
     */
    private long warmUp(StatsdMeterRegistry registry) throws InterruptedException {
        Counter warm = registry.counter("warm.up");
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() -> {
            warm.increment();
            return received() > 0;
        });
        Thread.sleep(1000);
        return received();
    }

    /** Micrometer's statsd registry: lines go out as meters change (no client-side aggregation). */
    private StatsdMeterRegistry registry(StatsdFlavor flavor, StatsdProtocol protocol) {
        StatsdConfig config = new StatsdConfig() {
            @Override
            public String get(String key) {
                return null;
            }

            @Override
            public StatsdFlavor flavor() {
                return flavor;
            }

            @Override
            public StatsdProtocol protocol() {
                return protocol;
            }

            @Override
            public String host() {
                return "127.0.0.1";
            }

            @Override
            public int port() {
                return port;
            }

            @Override
            public Duration pollingFrequency() {
                return Duration.ofMillis(200);
            }
        };
        return new StatsdMeterRegistry(config, io.micrometer.core.instrument.Clock.SYSTEM);
    }

    @Test
    void micrometersStatsdRegistryOverTcp() throws Exception {
        start("1h");
        StatsdMeterRegistry registry = registry(StatsdFlavor.DATADOG, StatsdProtocol.TCP);
        List<Long> sent = new ArrayList<>();
        try {
            long base = warmUp(registry);
            Counter jobs = registry.counter("tcp.jobs", "queue", "mail");
            Timer took = registry.timer("tcp.took", "queue", "mail");
            for (int i = 0; i < 300; i++) {
                jobs.increment();
                long ms = 5 + (i * 13) % 200;
                took.record(Duration.ofMillis(ms));
                sent.add(ms);
            }
            awaitReceived(base + 600);
        } finally {
            registry.close();
        }
        s.close();

        Map<String, Double> m = stored("tags->>'queue' = 'mail'");
        assertThat(m.get("tcp_jobs")).isEqualTo(300);
        assertThat(m.get("tcp_took_count")).isEqualTo(300);
        double[] sorted = sent.stream().mapToDouble(Long::doubleValue).sorted().toArray();
        assertThat(m.get("tcp_took_upper")).isEqualTo(sorted[299]);
        assertThat(m.get("tcp_took_95_percentile")).isEqualTo(nearestRank(sorted, 95));
    }

    @Test
    void intervalsFollowTheClockAndEachIsStampedWithItsStart() throws Exception {
        start("1s");
        try (DatagramSocket sock = new DatagramSocket()) {
            for (int i = 0; i < 30; i++) {
                byte[] b = "tick:1|c|#run:clock\ntick.g:5|g|#run:clock".getBytes(StandardCharsets.UTF_8);
                sock.send(new DatagramPacket(b, b.length, InetAddress.getLoopbackAddress(), port));
                Thread.sleep(100);
            }
        }
        await().atMost(Duration.ofSeconds(60))
                .until(() -> s.count("SELECT coalesce(sum(value), 0) FROM metrics WHERE metric = 'tick'") == 30);
        // Every row sits on a whole second, and a gauge is written again while it stays unchanged.
        assertThat(s.count("SELECT count(*) FROM metrics WHERE metric LIKE 'tick%' AND extract(microseconds FROM time)::bigint % 1000000 <> 0"))
                .isZero();
        assertThat(s.count("SELECT count(DISTINCT time) FROM metrics WHERE metric = 'tick'")).isGreaterThanOrEqualTo(2);
        long gaugeRows = s.count("SELECT count(*) FROM metrics WHERE metric = 'tick_g'");
        await().atMost(Duration.ofSeconds(60))
                .until(() -> s.count("SELECT count(*) FROM metrics WHERE metric = 'tick_g'") >= gaugeRows + 2);
    }

    @Test
    void tcpLinesSplitAcrossWritesOverLongLinesAndBadLinesAreHandledAndCounted() throws Exception {
        start("1h");
        try (Socket sock = new Socket(InetAddress.getLoopbackAddress(), port)) {
            OutputStream out = sock.getOutputStream();
            out.write("raw.a:1|c\nraw.".getBytes(StandardCharsets.UTF_8));
            out.flush();
            Thread.sleep(50);
            out.write(("b:2|c\nnot a metric\nraw.huge:" + "9".repeat(70_000) + "|c\nraw.a:3|c\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        }
        awaitReceived(3);
        await().atMost(Duration.ofSeconds(60))
                .until(() -> s.metric("sluice_protocol_rejected_total", "protocol", "statsd", "reason", "parse") == 2);
        s.close();
        Map<String, Double> m = stored("metric LIKE 'raw_%'");
        assertThat(m).containsEntry("raw_a", 4.0).containsEntry("raw_b", 2.0).doesNotContainKey("raw_huge");
    }
}
