package io.sluice.storage.metrics;

import java.util.concurrent.atomic.LongAdder;

/** A monotonically increasing count; increments are contention-free and allocate nothing. */
public final class Counter implements Metrics.Sample {
    private final String name;
    private final String labels;
    private final LongAdder adder = new LongAdder();

    Counter(String name, String labels) {
        this.name = name;
        this.labels = labels;
    }

    public void inc() {
        adder.increment();
    }

    public void add(long n) {
        adder.add(n);
    }

    public long get() {
        return adder.sum();
    }

    @Override
    public void render(StringBuilder sb) {
        sb.append(name).append(labels).append(' ').append(adder.sum()).append('\n');
    }
}
