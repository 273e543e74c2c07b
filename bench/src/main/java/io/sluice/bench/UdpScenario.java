package io.sluice.bench;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Line protocol datagrams at a target rate (or as fast as the senders go); then reads back what
 * Sluice accepted (its counters), what it stored (the database) and what the kernel dropped
 * (/proc/net/snmp RcvbufErrors), so every lost line is accounted for.
 */
@Command(name = "udp", description = "Line-protocol datagrams at a rate; reports sent, accepted, stored and lost.")
final class UdpScenario implements Callable<Integer> {
    @Mixin
    Options o;

    @Option(names = "--rate", description = "lines per second in all, 0 for as fast as possible (default: ${DEFAULT-VALUE})",
            defaultValue = "0")
    long rate;

    @Option(names = "--lines-per-datagram", description = "(default: ${DEFAULT-VALUE})", defaultValue = "25")
    int perDatagram;

    @Option(names = "--senders", description = "sender threads (default: ${DEFAULT-VALUE})", defaultValue = "1")
    int senders;

    @Option(names = "--no-ceiling", description = "skip the COPY ceiling measured first")
    boolean noCeiling;

    @Override
    public Integer call() throws Exception {
        // Every ingest figure is reported as a ratio of the ceiling measured in the same run.
        List<Result> results = new ArrayList<>();
        if (!noCeiling) {
            results.add(CeilingScenario.run(o));
        }
        results.add(run(o, rate, perDatagram, senders));
        Report.print(results, noCeiling ? null : "ceiling", o.json);
        return 0;
    }

    static Result run(Options o, long rate, int perDatagram, int senders) throws Exception {
        List<byte[]> datagrams = new ArrayList<>();
        for (int d = 0; d < 64; d++) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < perDatagram; i++) {
                int k = d * perDatagram + i;
                sb.append("bench_udp,host=h").append(k % o.series).append(" value=").append(k).append('\n');
            }
            datagrams.add(sb.toString().getBytes(StandardCharsets.UTF_8));
        }
        long storedBefore = CeilingScenario.count(o.db, "bench_udp");
        CeilingScenario.checkpoint(o.db);
        Map<String, Long> m0 = sluiceCounters(o.sluice);
        long kernel0 = kernelRcvbufErrors();
        long totalDatagrams = o.rows / perDatagram;
        AtomicLong next = new AtomicLong();
        InetAddress lo = InetAddress.getLoopbackAddress();
        List<Thread> threads = new ArrayList<>();
        double secs;
        try (Progress progress = new Progress("udp", totalDatagrams * perDatagram)) {
            long intervalNanos = rate > 0 ? (long) (1e9 * perDatagram * senders / rate) : 0;
            for (int t = 0; t < senders; t++) {
                Thread th = new Thread(() -> {
                    try (DatagramSocket s = new DatagramSocket()) {
                        long due = System.nanoTime();
                        int n = 0;
                        while (next.getAndIncrement() < totalDatagrams) {
                            byte[] b = datagrams.get(n++ & 63);
                            s.send(new DatagramPacket(b, b.length, lo, o.udpPort));
                            progress.rows.add(perDatagram);
                            if (intervalNanos > 0) {
                                due += intervalNanos;
                                long wait = due - System.nanoTime();
                                if (wait > 0) {
                                    LockSupport.parkNanos(wait);
                                }
                            }
                        }
                    } catch (Exception e) {
                        progress.errors.increment();
                    }
                }, "udp-" + t);
                threads.add(th);
                th.start();
            }
            for (Thread th : threads) {
                th.join();
            }
            secs = progress.seconds();
        }
        // Let the ring drain before reading back. The rate counts until the last row landed
        // (to the next half-second poll): rows still draining after the senders stop are not
        // rows per second of sending.
        long sentAt = System.nanoTime();
        long stored;
        long last = -1;
        long grewAt = sentAt;
        while (true) {
            Thread.sleep(500);
            stored = CeilingScenario.count(o.db, "bench_udp") - storedBefore;
            if (stored == last) {
                break;
            }
            if (stored > Math.max(last, 0)) {
                grewAt = System.nanoTime();
            }
            last = stored;
        }
        secs += (grewAt - sentAt) / 1e9;
        Map<String, Long> m1 = sluiceCounters(o.sluice);
        long sent = totalDatagrams * perDatagram;
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("target_rate", rate);
        extra.put("sent", sent);
        extra.put("accepted", m1.get("udp_line") - m0.get("udp_line"));
        extra.put("dropped_ring_full", m1.get("ring_full") - m0.get("ring_full"));
        extra.put("kernel_rcvbuf_errors_datagrams", kernelRcvbufErrors() - kernel0);
        extra.put("stored", stored);
        extra.put("loss_percent", Math.round((sent - stored) * 100_000.0 / sent) / 1000.0);
        extra.put("seconds_to_last_row", Math.round(secs * 100) / 100.0);
        extra.put("stored_per_second", Math.round(stored / secs));
        double loss = (sent - stored) * 100.0 / sent;
        // A ratio from a lossy run is not a sustainable rate: the name says so where it is printed.
        String name = "udp line protocol" + (rate > 0 ? " @" + rate + "/s" : " (max)")
                + (loss >= 0.1 ? String.format(" %.1f%% lost", loss) : "");
        return new Result(name, stored, secs, extra);
    }

    static Map<String, Long> sluiceCounters(String base) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base + "/-/metrics"))
                .build(), HttpResponse.BodyHandlers.ofString());
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("udp_line", 0L);
        m.put("ring_full", 0L);
        for (String line : r.body().split("\n")) {
            if (line.startsWith("sluice_samples_received_total{transport=\"udp_line\"}")) {
                m.put("udp_line", Long.parseLong(line.substring(line.lastIndexOf(' ') + 1)));
            } else if (line.startsWith("sluice_jvm_heap_used_bytes ")) {
                m.put("heap", (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)));
            } else if (line.startsWith("sluice_samples_dropped_total{reason=\"ring_full\"}")) {
                m.put("ring_full", Long.parseLong(line.substring(line.lastIndexOf(' ') + 1)));
            }
        }
        return m;
    }

    /** Datagrams the kernel dropped because a socket's receive buffer was full, machine-wide. */
    static long kernelRcvbufErrors() {
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/net/snmp"));
            for (int i = 0; i + 1 < lines.size(); i++) {
                if (lines.get(i).startsWith("Udp:") && lines.get(i + 1).startsWith("Udp:")) {
                    String[] names = lines.get(i).split("\\s+");
                    String[] values = lines.get(i + 1).split("\\s+");
                    for (int k = 0; k < names.length; k++) {
                        if (names[k].equals("RcvbufErrors")) {
                            return Long.parseLong(values[k]);
                        }
                    }
                }
            }
        } catch (Exception ignored) {
            // not Linux: unknown
        }
        return -1;
    }
}
