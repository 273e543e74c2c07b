package io.sluice.agent.collect;

import oshi.hardware.CentralProcessor;
import oshi.software.os.OperatingSystem;

import java.util.Map;

/**
 * Telegraf's {@code system} input (load averages, CPU count, uptime in seconds) and the
 * {@code total} field of its {@code processes} input.
 */
public final class SystemCollector implements Collector {
    private final CentralProcessor cpu;
    private final OperatingSystem os;

    public SystemCollector(CentralProcessor cpu, OperatingSystem os) {
        this.cpu = cpu;
        this.os = os;
    }

    @Override
    public String name() {
        return "system";
    }

    @Override
    public void collect(Readings out) {
        double[] load = cpu.getSystemLoadAverage(3); // negative where the platform has none (Windows)
        Readings.Point p = out.point("system", Map.of());
        if (load.length == 3 && load[0] >= 0) {
            p.gauge("load1", load[0]).gauge("load5", load[1]).gauge("load15", load[2]);
        }
        p.gauge("n_cpus", cpu.getLogicalProcessorCount()).gauge("uptime", os.getSystemUptime());
        out.point("processes", Map.of()).gauge("total", os.getProcessCount());
    }
}
