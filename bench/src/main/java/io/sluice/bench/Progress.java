package io.sluice.bench;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/** Prints rate, totals and errors once a second on stderr while a scenario runs. */
final class Progress implements AutoCloseable {
    final LongAdder rows = new LongAdder();
    final LongAdder errors = new LongAdder();
    private final String name;
    private final long target;
    private final long t0 = System.nanoTime();
    private long lastRows;
    private long lastNanos = t0;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "bench-progress");
        t.setDaemon(true);
        return t;
    });

    Progress(String name, long target) {
        this.name = name;
        this.target = target;
        timer.scheduleAtFixedRate(this::print, 1, 1, TimeUnit.SECONDS);
    }

    private void print() {
        long now = System.nanoTime();
        long r = rows.sum();
        double rate = (r - lastRows) / ((now - lastNanos) / 1e9);
        lastRows = r;
        lastNanos = now;
        System.err.printf("[%s] %5.1fs  %,12d / %,d rows  %,10.0f rows/s  errors %d%n", name, (now - t0) / 1e9, r,
                target, rate, errors.sum());
    }

    double seconds() {
        return (System.nanoTime() - t0) / 1e9;
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
