package io.sluice.agent.collect;

import oshi.hardware.HWDiskStore;
import oshi.hardware.HardwareAbstractionLayer;

import java.util.Map;

/**
 * Telegraf's {@code diskio} input per block device ({@code name=sda}): its cumulative counters
 * ({@code reads}, {@code writes}, {@code read_bytes}, {@code write_bytes}, {@code io_time} in ms)
 * and, for the fleet API and for queries without a derivative, their per-second rates
 * ({@code read_bytes_per_sec}, ...). A device read for the first time gives nothing.
 */
public final class DiskIoCollector implements Collector {
    private final HardwareAbstractionLayer hw;
    private final CounterRates rates;

    public DiskIoCollector(HardwareAbstractionLayer hw, int counterBits) {
        this.hw = hw;
        this.rates = new CounterRates(counterBits);
    }

    @Override
    public String name() {
        return "diskio";
    }

    @Override
    public void collect(Readings out) {
        rates.beginRound();
        long t = out.timeMs();
        for (HWDiskStore d : hw.getDiskStores()) {
            String name = FileSystemCollector.device(d.getName());
            double readOps = rates.rate(name + "/r", d.getReads(), t);
            double writeOps = rates.rate(name + "/w", d.getWrites(), t);
            double readBytes = rates.rate(name + "/rb", d.getReadBytes(), t);
            double writeBytes = rates.rate(name + "/wb", d.getWriteBytes(), t);
            if (Double.isNaN(readBytes)) {
                continue;
            }
            out.point("diskio", Map.of("name", name))
                    .counter("reads", d.getReads())
                    .counter("writes", d.getWrites())
                    .counter("read_bytes", d.getReadBytes())
                    .counter("write_bytes", d.getWriteBytes())
                    .counter("io_time", d.getTransferTime())
                    .gauge("reads_per_sec", readOps)
                    .gauge("writes_per_sec", writeOps)
                    .gauge("read_bytes_per_sec", readBytes)
                    .gauge("write_bytes_per_sec", writeBytes);
        }
        rates.endRound();
    }
}
