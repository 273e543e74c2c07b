package io.sluice.agent.collect;

import oshi.hardware.GlobalMemory;
import oshi.hardware.VirtualMemory;

import java.util.Map;

/**
 * Telegraf's {@code mem} and {@code swap} inputs, in bytes and percent. {@code used} is
 * {@code total - available}: memory the kernel cannot hand out without swapping (what Telegraf's
 * {@code available_percent} complements).
 */
public final class MemoryCollector implements Collector {
    private final GlobalMemory memory;

    public MemoryCollector(GlobalMemory memory) {
        this.memory = memory;
    }

    @Override
    public String name() {
        return "mem";
    }

    @Override
    public void collect(Readings out) {
        long total = memory.getTotal();
        long available = memory.getAvailable();
        long used = total - available;
        out.point("mem", Map.of())
                .gauge("total", total)
                .gauge("available", available)
                .gauge("used", used)
                .gauge("used_percent", percent(used, total))
                .gauge("available_percent", percent(available, total));
        VirtualMemory vm = memory.getVirtualMemory();
        long swapTotal = vm.getSwapTotal();
        long swapUsed = vm.getSwapUsed();
        out.point("swap", Map.of())
                .gauge("total", swapTotal)
                .gauge("used", swapUsed)
                .gauge("free", swapTotal - swapUsed)
                .gauge("used_percent", percent(swapUsed, swapTotal));
    }

    /** A share in percent; 0 of nothing is 0 (no swap configured is not an error). */
    static double percent(long part, long whole) {
        return whole <= 0 ? 0 : Math.min(100, Math.max(0, part * 100.0 / whole));
    }
}
