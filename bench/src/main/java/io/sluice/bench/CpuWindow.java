package io.sluice.bench;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;

/**
 * CPU of the named processes (with their descendants), this one and the machine over one
 * load: from the last {@link #start} to {@link #stop}.
 */
final class CpuWindow {
    private final Map<String, OptionalLong> pids;
    private final Map<String, Map<Long, Long>> before = new LinkedHashMap<>();
    private long selfBefore;
    private long[] machineBefore;
    private final Map<String, Object> percent = new LinkedHashMap<>();

    CpuWindow(Map<String, OptionalLong> pids) {
        this.pids = pids;
    }

    void start() {
        pids.forEach((name, pid) -> pid.ifPresent(p -> before.put(name, ProcessCpu.tree(p))));
        selfBefore = ProcessCpu.self();
        machineBefore = ProcessCpu.machine();
    }

    /** Ends the window of a load that took {@code seconds}: CPU in % of one core, machine busy %. */
    void stop(double seconds) {
        long[] after = ProcessCpu.machine();
        long self = ProcessCpu.self();
        pids.forEach((name, pid) -> pid.ifPresent(p -> percent.put("cpu_" + name + "_pct",
                pct(ProcessCpu.used(before.get(name), ProcessCpu.tree(p)), seconds))));
        percent.put("cpu_generator_pct", pct(self - selfBefore, seconds));
        long total = after[1] - machineBefore[1];
        if (total > 0) {
            int cores = Runtime.getRuntime().availableProcessors();
            percent.put("cpu_machine_pct", Math.round((after[0] - machineBefore[0]) * 1000.0 / total * cores) / 10.0);
        }
    }

    Map<String, Object> percentOfOneCore() {
        return percent;
    }

    private static double pct(long nanos, double seconds) {
        return Math.round(nanos / seconds / 1e7 * 10) / 10.0;
    }
}
