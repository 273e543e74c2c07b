package io.sluice.storage.metrics;

import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;

/** A Prometheus histogram with fixed bucket bounds; {@link #observe} allocates nothing. */
public final class Histogram implements Metrics.Sample {
    private final String name;
    private final String labels;
    private final double[] bounds;
    private final LongAdder[] buckets;
    private final LongAdder count = new LongAdder();
    private final DoubleAdder sum = new DoubleAdder();

    Histogram(String name, String labels, double[] bounds) {
        for (int i = 1; i < bounds.length; i++) {
            if (bounds[i] <= bounds[i - 1]) {
                throw new IllegalArgumentException("histogram " + name + ": bounds must increase");
            }
        }
        this.name = name;
        this.labels = labels;
        this.bounds = bounds.clone();
        this.buckets = new LongAdder[bounds.length];
        for (int i = 0; i < buckets.length; i++) {
            buckets[i] = new LongAdder();
        }
    }

    public void observe(double v) {
        for (int i = 0; i < bounds.length; i++) {
            if (v <= bounds[i]) {
                buckets[i].increment();
                break;
            }
        }
        count.increment();
        sum.add(v);
    }

    public long count() {
        return count.sum();
    }

    @Override
    public void render(StringBuilder sb) {
        long cumulative = 0;
        String open = labels.isEmpty() ? "{" : labels.substring(0, labels.length() - 1) + ",";
        for (int i = 0; i < bounds.length; i++) {
            cumulative += buckets[i].sum();
            sb.append(name).append("_bucket").append(open).append("le=\"").append(bounds[i]).append("\"} ")
                    .append(cumulative).append('\n');
        }
        long n = count.sum();
        sb.append(name).append("_bucket").append(open).append("le=\"+Inf\"} ").append(n).append('\n');
        sb.append(name).append("_sum").append(labels).append(' ').append(sum.sum()).append('\n');
        sb.append(name).append("_count").append(labels).append(' ').append(n).append('\n');
    }
}
