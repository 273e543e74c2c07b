package io.sluice.storage.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongSupplier;

/**
 * Sluice's own counters, rendered in the Prometheus text exposition format (version 0.0.4).
 *
 * <p>Hand-written rather than Micrometer: the hot path needs only a {@link java.util.concurrent.atomic.LongAdder}
 * per counter, created once at start and held in a field, so an increment allocates nothing.
 * Registration is idempotent: asking twice for the same name and labels returns the same counter.
 */
public final class Metrics {
    private final Map<String, Family> families = new ConcurrentHashMap<>();
    private final List<Family> order = new CopyOnWriteArrayList<>();

    public Counter counter(String name, String help, String... labels) {
        Family f = family(name, help, "counter");
        return (Counter) f.children.computeIfAbsent(labelText(labels), l -> new Counter(name, l));
    }

    public void gauge(String name, String help, LongSupplier value, String... labels) {
        Family f = family(name, help, "gauge");
        f.children.put(labelText(labels), new Gauge(name, labelText(labels), value));
    }

    /** A histogram with fixed upper bounds (inclusive), e.g. seconds or rows. */
    public Histogram histogram(String name, String help, double[] bounds, String... labels) {
        Family f = family(name, help, "histogram");
        return (Histogram) f.children.computeIfAbsent(labelText(labels), l -> new Histogram(name, l, bounds));
    }

    /** The value of a counter or gauge, or -1 if none is registered; for tests and logs. */
    public long value(String name, String... labels) {
        Family f = families.get(name);
        if (f == null) {
            return -1;
        }
        Sample s = f.children.get(labelText(labels));
        if (s instanceof Counter c) {
            return c.get();
        }
        if (s instanceof Gauge g) {
            return g.value.getAsLong();
        }
        return -1;
    }

    /** Sum of a counter over all its label sets. */
    public long total(String name) {
        Family f = families.get(name);
        long sum = 0;
        if (f != null) {
            for (Sample s : f.children.values()) {
                if (s instanceof Counter c) {
                    sum += c.get();
                }
            }
        }
        return sum;
    }

    public String render() {
        StringBuilder sb = new StringBuilder(4096);
        for (Family f : order) {
            sb.append("# HELP ").append(f.name).append(' ').append(f.help).append('\n');
            sb.append("# TYPE ").append(f.name).append(' ').append(f.type).append('\n');
            List<String> keys = new ArrayList<>(f.children.keySet());
            keys.sort(null);
            for (String k : keys) {
                f.children.get(k).render(sb);
            }
        }
        return sb.toString();
    }

    private Family family(String name, String help, String type) {
        Family f = families.computeIfAbsent(name, n -> {
            Family nf = new Family(n, help, type);
            order.add(nf);
            return nf;
        });
        if (!f.type.equals(type)) {
            throw new IllegalArgumentException("metric " + name + " is a " + f.type + ", not a " + type);
        }
        return f;
    }

    static String labelText(String... labels) {
        if (labels.length % 2 != 0) {
            throw new IllegalArgumentException("labels come in name/value pairs: " + List.of(labels));
        }
        if (labels.length == 0) {
            return "";
        }
        StringBuilder sb = new StringBuilder("{");
        for (int i = 0; i < labels.length; i += 2) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append(labels[i]).append("=\"");
            escape(sb, labels[i + 1]);
            sb.append('"');
        }
        return sb.append('}').toString();
    }

    private static void escape(StringBuilder sb, String v) {
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            switch (c) {
                case '\\' -> sb.append("\\\\");
                case '"' -> sb.append("\\\"");
                case '\n' -> sb.append("\\n");
                default -> sb.append(c);
            }
        }
    }

    private static final class Family {
        final String name;
        final String help;
        final String type;
        final Map<String, Sample> children = new ConcurrentHashMap<>();

        Family(String name, String help, String type) {
            this.name = name;
            this.help = help;
            this.type = type;
        }
    }

    interface Sample {
        void render(StringBuilder sb);
    }

    private record Gauge(String name, String labels, LongSupplier value) implements Sample {
        @Override
        public void render(StringBuilder sb) {
            sb.append(name).append(labels).append(' ').append(value.getAsLong()).append('\n');
        }
    }
}
