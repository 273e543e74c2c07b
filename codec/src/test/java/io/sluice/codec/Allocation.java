package io.sluice.codec;

import java.lang.management.ManagementFactory;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** What the current thread allocates while a task runs, from HotSpot's counter; skips the test without it. */
public final class Allocation {
    private Allocation() {
    }

    public static long bytes(Runnable task) {
        java.lang.management.ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        assumeTrue(mx instanceof com.sun.management.ThreadMXBean, "needs HotSpot's allocation counter");
        com.sun.management.ThreadMXBean hs = (com.sun.management.ThreadMXBean) mx;
        assumeTrue(hs.isThreadAllocatedMemorySupported() && hs.isThreadAllocatedMemoryEnabled(),
                "needs HotSpot's allocation counter enabled");
        long before = hs.getCurrentThreadAllocatedBytes();
        task.run();
        return hs.getCurrentThreadAllocatedBytes() - before;
    }
}
