package io.sluice.agent.collect;

import oshi.hardware.CentralProcessor;

import java.util.Map;

/**
 * Telegraf's {@code cpu} input: time spent per state, in percent of the interval, for all CPUs
 * ({@code cpu=cpu-total}) and each one ({@code cpu=cpu0}, ...). Percentages come from the
 * kernel's tick counters between two readings, so the first interval gives none.
 */
public final class CpuCollector implements Collector {
    /** Field names in the order of OSHI's {@code TickType}: user, nice, system, idle, iowait, irq, softirq, steal. */
    private static final String[] FIELDS = {"usage_user", "usage_nice", "usage_system", "usage_idle",
            "usage_iowait", "usage_irq", "usage_softirq", "usage_steal"};

    private final CentralProcessor cpu;
    private long[] lastTotal;
    private long[][] lastCores;

    public CpuCollector(CentralProcessor cpu) {
        this.cpu = cpu;
    }

    @Override
    public String name() {
        return "cpu";
    }

    @Override
    public void collect(Readings out) {
        long[] total = cpu.getSystemCpuLoadTicks();
        long[][] cores = cpu.getProcessorCpuLoadTicks();
        if (lastTotal != null) {
            emit(out, "cpu-total", lastTotal, total);
        }
        if (lastCores != null && lastCores.length == cores.length) {
            for (int i = 0; i < cores.length; i++) {
                emit(out, "cpu" + i, lastCores[i], cores[i]);
            }
        }
        lastTotal = total;
        lastCores = cores;
    }

    private static void emit(Readings out, String name, long[] before, long[] now) {
        double[] pct = percentages(before, now);
        if (pct == null) {
            return;
        }
        Readings.Point p = out.point("cpu", Map.of("cpu", name));
        for (int i = 0; i < pct.length; i++) {
            p.gauge(FIELDS[i], pct[i]);
        }
    }

    /**
     * Each state's share of the ticks between two readings, in percent; null when no tick passed.
     * A state whose counter went down (Linux's iowait can) counts as zero, so the shares stay in
     * 0-100.
     */
    static double[] percentages(long[] before, long[] now) {
        int n = Math.min(FIELDS.length, Math.min(before.length, now.length));
        double[] delta = new double[n];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            delta[i] = Math.max(0, now[i] - before[i]);
            sum += delta[i];
        }
        if (sum <= 0) {
            return null;
        }
        for (int i = 0; i < n; i++) {
            delta[i] = delta[i] * 100.0 / sum;
        }
        return delta;
    }
}
