package io.sluice.bench;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * Live delivery: V viewers on /v1/live, viewer i subscribed to series {@code host=h(i % series)}
 * of one metric, while the harness sends samples over UDP at a rate. Each sample's value is the
 * harness's System.nanoTime() at sending, so a viewer's receive time minus it is the delivery
 * latency (sender and viewers share this process's clock).
 */
@Command(name = "ws", description = "WebSocket viewers while a writer runs; delivery latency percentiles.")
final class WsScenario implements java.util.concurrent.Callable<Integer> {
    @Mixin
    Options o;

    @Option(names = "--viewers", description = "(default: ${DEFAULT-VALUE})", defaultValue = "1000")
    int viewers;

    @Option(names = "--rate", description = "samples per second sent (default: ${DEFAULT-VALUE})", defaultValue = "100000")
    long rate;

    @Option(names = "--seconds", description = "how long the writer runs (default: ${DEFAULT-VALUE})", defaultValue = "30")
    int seconds;

    /**
     * Twenty seconds: a freshly started Sluice (and this harness) compile for the first ten to
     * fifteen seconds under this load (C2 logged ~2,000 methods in the 5 s after sending began,
     * ~300 per 5 s later), and measuring from 5 s put that start-up in the p99 (1,000 viewers at
     * 100,000/s: 205 / 270 / 373 ms from 5 s against 82 / 134 / 100 ms from 20 s, interleaved).
     */
    @Option(names = "--warmup", description = "seconds sent before measuring, so start-up (JIT compilation) is not"
            + " measured (default: ${DEFAULT-VALUE})", defaultValue = "20")
    int warmup;

    @Override
    public Integer call() throws Exception {
        Report.print(List.of(run()), null, o.json);
        return 0;
    }

    Result run() throws Exception {
        String base = o.sluice.replaceFirst("^http", "ws");
        Recorder latency = new Recorder(3);
        List<String> subscribes = new ArrayList<>();
        for (int i = 0; i < viewers; i++) {
            subscribes.add("{\"type\":\"subscribe\",\"id\":\"v\",\"metrics\":[\"bench_ws\"],"
                    + "\"tags\":{\"host\":\"h" + (i % o.series) + "\"}}");
        }
        try (LiveViewers sockets = new LiveViewers(latency)) {
            long t0 = System.nanoTime();
            sockets.openAll(URI.create(base + "/v1/live"), subscribes);
            return measure(latency, sockets, (System.nanoTime() - t0) / 1e9);
        }
    }

    private Result measure(Recorder latency, LiveViewers sockets, double openSeconds) throws Exception {
        LongAdder received = sockets.received;
        System.err.printf("[ws] %d viewers open in %.1fs%n", sockets.size(), openSeconds);
        Thread.sleep(1000);
        latency.reset();
        Map<String, Long> before = UdpScenario.sluiceCounters(o.sluice);

        long total = rate * (seconds + warmup);
        long measureFrom = rate * warmup;
        long receivedAtWarmup = 0;
        int perDatagram = 25;
        AtomicLong sent = new AtomicLong();
        double secs;
        try (Progress progress = new Progress("ws", total); DatagramSocket sock = new DatagramSocket()) {
            InetAddress lo = InetAddress.getLoopbackAddress();
            long interval = (long) (1e9 * perDatagram / rate);
            long due = System.nanoTime();
            int k = 0;
            StringBuilder sb = new StringBuilder(1500);
            while (sent.get() < total) {
                sb.setLength(0);
                for (int i = 0; i < perDatagram; i++) {
                    sb.append("bench_ws,host=h").append(k++ % o.series).append(" value=").append(System.nanoTime()).append('\n');
                }
                byte[] b = sb.toString().getBytes(StandardCharsets.US_ASCII);
                sock.send(new DatagramPacket(b, b.length, lo, o.udpPort));
                if (sent.addAndGet(perDatagram) == measureFrom - measureFrom % perDatagram) {
                    latency.reset();
                    receivedAtWarmup = received.sum();
                }
                progress.rows.add(perDatagram);
                due += interval;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
            }
            secs = progress.seconds();
        }
        Thread.sleep(1000);
        Histogram h = latency.getIntervalHistogram();
        Map<String, Long> after = UdpScenario.sluiceCounters(o.sluice);
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("viewers", sockets.size());
        extra.put("viewers_open_seconds", Math.round(openSeconds * 10) / 10.0);
        extra.put("target_rate", rate);
        extra.put("sent", sent.get());
        extra.put("accepted_by_sluice", after.get("udp_line") - before.get("udp_line"));
        extra.put("received_by_viewers", received.sum());
        extra.put("measured_samples", h.getTotalCount());
        extra.put("warmup_seconds", warmup);
        extra.put("dropped_notices", sockets.droppedNotices.sum());
        extra.put("latency_ms_p50", h.getValueAtPercentile(50) / 1000.0);
        extra.put("latency_ms_p99", h.getValueAtPercentile(99) / 1000.0);
        extra.put("latency_ms_p999", h.getValueAtPercentile(99.9) / 1000.0);
        extra.put("latency_ms_max", h.getMaxValue() / 1000.0);
        extra.put("sluice_heap_mb", after.getOrDefault("heap", 0L) >> 20);
        return new Result("ws delivery (" + sockets.size() + " viewers)", received.sum() - receivedAtWarmup,
                secs - warmup, extra);
    }
}
