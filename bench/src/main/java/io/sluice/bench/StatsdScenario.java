package io.sluice.bench;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * StatsD datagrams at rising rates until more than 0.1 % of them are lost; reports the highest
 * loss-free rate in datagrams and metrics a second and what stopped the next step.
 *
 * <p>Each datagram carries {@code --metrics-per-datagram} lines a StatsD client would send:
 * counters, timings with a sample rate, tagged gauges, and one counter
 * {@code bench.statsd.datagrams:1|c} tagged with the run and the step. That counter's sum in the
 * database, once Sluice has flushed the step's intervals, is how many datagrams arrived whole and
 * were aggregated and stored: loss is measured end to end, not from Sluice's own counters.
 */
@Command(name = "statsd", description = "StatsD datagrams at rising rates; the highest rate with under 0.1 % loss.")
final class StatsdScenario implements Callable<Integer> {
    static final double MAX_LOSS_PERCENT = 0.1;

    @Mixin
    Options o;

    @Option(names = "--statsd-port", description = "Sluice's StatsD UDP port (default: ${DEFAULT-VALUE})", defaultValue = "8125")
    int port;

    @Option(names = "--rate", description = "first step, datagrams per second (default: ${DEFAULT-VALUE})", defaultValue = "5000")
    long firstRate;

    @Option(names = "--factor", description = "each step's rate over the last one's (default: ${DEFAULT-VALUE})", defaultValue = "1.5")
    double factor;

    @Option(names = "--max-rate", description = "stop rising here, datagrams per second (default: ${DEFAULT-VALUE})", defaultValue = "2000000")
    long maxRate;

    @Option(names = "--seconds", description = "how long each step sends (default: ${DEFAULT-VALUE})", defaultValue = "10")
    int seconds;

    @Option(names = "--senders", description = "sender threads (default: ${DEFAULT-VALUE})", defaultValue = "4")
    int senders;

    @Option(names = "--metrics-per-datagram", description = "StatsD lines in each datagram (default: ${DEFAULT-VALUE})", defaultValue = "10")
    int perDatagram;

    @Option(names = "--refine", description = "steps halving the gap between the last loss-free rate and the first lossy one"
            + " (default: ${DEFAULT-VALUE})", defaultValue = "2")
    int refine;

    @Option(names = "--flush-interval", description = "Sluice's statsd_flush_interval in seconds (default: ${DEFAULT-VALUE})",
            defaultValue = "10")
    int flushSeconds;

    @Override
    public Integer call() throws Exception {
        String run = Long.toString(System.currentTimeMillis(), 36);
        List<Result> results = new ArrayList<>();
        Result best = null;
        Result firstBad = null;
        long rate = firstRate;
        int step = 1;
        for (; rate <= maxRate; step++, rate = (long) Math.ceil(rate * factor)) {
            Result r = step(run, step, rate);
            results.add(r);
            if (lossy(r)) {
                firstBad = r;
                break;
            }
            best = r;
        }
        // Between the last loss-free rate and the first lossy one, halve the gap a few times.
        for (int i = 0; i < refine && best != null && firstBad != null; i++) {
            long lo = (long) best.extra().get("target_datagrams_per_second");
            long hi = (long) firstBad.extra().get("target_datagrams_per_second");
            Result r = step(run, ++step, (lo + hi) / 2);
            results.add(r);
            if (lossy(r)) {
                firstBad = r;
            } else {
                best = r;
            }
        }
        Report.print(results, null, o.json);
        if (best == null) {
            System.out.printf("%nno step stayed under %.1f %% loss; the first step's limit: %s%n", MAX_LOSS_PERCENT,
                    results.get(0).extra().get("limited_by"));
        } else {
            Result last = firstBad == null ? best : firstBad;
            System.out.printf("%nhighest rate under %.1f %% loss: %,d datagrams/s, %,d metrics/s (%d per datagram)%n"
                    + "the next step: %s%n", MAX_LOSS_PERCENT, Math.round(best.rate()),
                    Math.round(best.rate() * perDatagram), perDatagram,
                    last == best ? "none (--max-rate reached)" : last.scenario() + ": " + last.extra().get("limited_by"));
        }
        return 0;
    }

    private Result step(String run, int step, long rate) throws Exception {
        List<byte[]> datagrams = datagrams(run, step, perDatagram);
        long kernel0 = UdpScenario.kernelRcvbufErrors();
        Map<String, Long> m0 = SluiceCounters.read(o.sluice, "statsd");
        long total = rate * seconds;
        AtomicLong next = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        InetAddress lo = InetAddress.getLoopbackAddress();
        List<Thread> threads = new ArrayList<>();
        long t0 = System.nanoTime();
        try (Progress progress = new Progress("statsd @" + rate + "/s", total)) {
            long interval = (long) (1e9 * senders / rate);
            for (int t = 0; t < senders; t++) {
                Thread th = new Thread(() -> {
                    try (DatagramSocket s = new DatagramSocket()) {
                        long due = System.nanoTime();
                        int n = 0;
                        while (next.getAndIncrement() < total) {
                            byte[] b = datagrams.get(n++ & 255);
                            s.send(new DatagramPacket(b, b.length, lo, port));
                            progress.rows.increment();
                            due += interval;
                            long wait = due - System.nanoTime();
                            if (wait > 0) {
                                LockSupport.parkNanos(wait);
                            }
                        }
                    } catch (Exception e) {
                        failed.incrementAndGet();
                    }
                }, "statsd-" + t);
                threads.add(th);
                th.start();
            }
            for (Thread th : threads) {
                th.join();
            }
        }
        double sendSeconds = (System.nanoTime() - t0) / 1e9;
        long arrived = awaitStored(run, step);
        Map<String, Long> m1 = SluiceCounters.read(o.sluice, "statsd");
        long kernel = UdpScenario.kernelRcvbufErrors() - kernel0;
        double loss = (total - arrived) * 100.0 / total;
        double achieved = total / sendSeconds;
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("target_datagrams_per_second", rate);
        extra.put("sent_datagrams_per_second", Math.round(achieved));
        extra.put("metrics_per_second", Math.round(achieved * perDatagram));
        extra.put("sent", total);
        extra.put("stored", arrived);
        extra.put("loss_percent", Math.round(loss * 1000) / 1000.0);
        extra.put("kernel_rcvbuf_errors", kernel);
        extra.put("sluice_statsd_values", delta(m0, m1, "received"));
        extra.put("sluice_rejected", delta(m0, m1, "rejected"));
        extra.put("sluice_dropped", delta(m0, m1, "dropped"));
        extra.put("limited_by", limit(loss, achieved / rate, kernel, delta(m0, m1, "dropped")));
        return new Result("statsd @" + rate + "/s", arrived, sendSeconds, extra);
    }

    private static boolean lossy(Result r) {
        return (double) r.extra().get("loss_percent") >= MAX_LOSS_PERCENT;
    }

    /** What the step's figures point at; a step under the loss limit is limited by nothing yet. */
    private static String limit(double loss, double achievedRatio, long kernelDrops, long sluiceDrops) {
        if (achievedRatio < 0.95) {
            return String.format("the senders (%.0f %% of the target rate sent)", achievedRatio * 100);
        }
        if (loss < MAX_LOSS_PERCENT) {
            return "nothing (under the loss limit)";
        }
        if (kernelDrops > 0) {
            return "Sluice's UDP readers: the kernel dropped " + kernelDrops
                    + " datagrams on full receive buffers (/proc/net/snmp RcvbufErrors)";
        }
        if (sluiceDrops > 0) {
            return "Sluice dropped " + sluiceDrops + " values or aggregates (sluice_protocol_dropped_total)";
        }
        return "loss without a kernel or Sluice drop counted (sender socket errors?)";
    }

    private static long delta(Map<String, Long> a, Map<String, Long> b, String k) {
        return b.getOrDefault(k, 0L) - a.getOrDefault(k, 0L);
    }

    /**
     * 256 datagrams of the mix; every one has the run's and step's tracking counter. Timings carry
     * sample rates and gauges tags, as real clients send them.
     */
    static List<byte[]> datagrams(String run, int step, int perDatagram) {
        List<byte[]> out = new ArrayList<>();
        String tags = "|#run:" + run;
        for (int d = 0; d < 256; d++) {
            StringBuilder sb = new StringBuilder("bench.statsd.datagrams:1|c").append(tags).append(",step:").append(step);
            for (int i = 1; i < perDatagram; i++) {
                int k = d * perDatagram + i;
                String route = ",route:/api/v" + (k % 20);
                switch (i % 3) {
                    case 0 -> sb.append("\nbench.statsd.requests:1|c").append(tags).append(route);
                    case 1 -> sb.append("\nbench.statsd.latency:").append(k % 997 / 4.0).append("|ms|@0.5").append(tags).append(route);
                    default -> sb.append("\nbench.statsd.queue,shard=").append(k % 8).append(':').append(k % 100).append("|g").append(tags);
                }
            }
            out.add(sb.toString().getBytes(StandardCharsets.UTF_8));
        }
        return out;
    }

    /** The step's datagrams the database holds, once two flush intervals have added nothing more. */
    private long awaitStored(String run, int step) throws Exception {
        long last = -1;
        long stableSince = System.nanoTime();
        while (true) {
            Thread.sleep(1000);
            long n = stored(run, step);
            if (n != last) {
                last = n;
                stableSince = System.nanoTime();
            } else if (System.nanoTime() - stableSince > (2L * flushSeconds + 2) * 1_000_000_000L) {
                return n;
            }
        }
    }

    private long stored(String run, int step) throws SQLException {
        try (Connection c = DriverManager.getConnection(o.db);
             PreparedStatement st = c.prepareStatement("SELECT coalesce(sum(value), 0) FROM metrics"
                     + " WHERE metric = 'bench_statsd_datagrams' AND tags->>'run' = ? AND tags->>'step' = ?")) {
            st.setString(1, run);
            st.setString(2, Integer.toString(step));
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return Math.round(rs.getDouble(1));
            }
        }
    }
}
