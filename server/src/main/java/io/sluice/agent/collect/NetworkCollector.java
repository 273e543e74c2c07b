package io.sluice.agent.collect;

import oshi.hardware.HardwareAbstractionLayer;
import oshi.hardware.NetworkIF;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Telegraf's {@code net} input per interface ({@code interface=eth0}, loopback included): the
 * cumulative counters {@code bytes_sent}, {@code bytes_recv}, {@code packets_sent},
 * {@code packets_recv}, {@code err_in}, {@code err_out}, {@code drop_in}, {@code drop_out} and
 * their per-second rates ({@code bytes_recv_per_sec}, ...). An interface read for the first time
 * gives nothing.
 */
public final class NetworkCollector implements Collector {
    private static final String[] FIELDS = {"bytes_sent", "bytes_recv", "packets_sent", "packets_recv",
            "err_in", "err_out", "drop_in", "drop_out"};

    private final HardwareAbstractionLayer hw;
    private final CounterRates rates;

    public NetworkCollector(HardwareAbstractionLayer hw, int counterBits) {
        this.hw = hw;
        this.rates = new CounterRates(counterBits);
    }

    @Override
    public String name() {
        return "net";
    }

    @Override
    public void collect(Readings out) {
        rates.beginRound();
        long t = out.timeMs();
        for (NetworkIF n : hw.getNetworkIFs(true)) {
            long[] v = {n.getBytesSent(), n.getBytesRecv(), n.getPacketsSent(), n.getPacketsRecv(),
                    n.getInErrors(), n.getOutErrors(), n.getInDrops(), txDropped(n.getName())};
            double[] rate = new double[v.length];
            boolean first = false;
            for (int i = 0; i < v.length; i++) {
                rate[i] = v[i] < 0 ? Double.NaN : rates.rate(n.getName() + "/" + i, v[i], t);
                first |= i == 0 && Double.isNaN(rate[i]);
            }
            if (first) {
                continue;
            }
            Readings.Point p = out.point("net", Map.of("interface", n.getName()));
            for (int i = 0; i < v.length; i++) {
                p.counter(FIELDS[i], v[i]).gauge(FIELDS[i] + "_per_sec", rate[i]);
            }
        }
        rates.endRound();
    }

    /** OSHI has no outbound drops; Linux keeps them beside the other interface counters. -1: unknown. */
    private static long txDropped(String iface) {
        Path p = Path.of("/sys/class/net", iface, "statistics", "tx_dropped");
        try {
            return Long.parseLong(Files.readString(p).trim());
        } catch (IOException | NumberFormatException | java.nio.file.InvalidPathException e) {
            return -1;
        }
    }
}
