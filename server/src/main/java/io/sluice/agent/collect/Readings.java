package io.sluice.agent.collect;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Where a collector puts what it read in one interval: samples sharing one time. */
public final class Readings {
    private final List<Sample> out;
    private final long timeMs;

    public Readings(List<Sample> out, long timeMs) {
        this.out = out;
        this.timeMs = timeMs;
    }

    public long timeMs() {
        return timeMs;
    }

    /**
     * A measurement's tags, copied once and shared by its fields; a tag without a value (a file
     * system without a device name) is left out, as line protocol cannot carry it.
     */
    public Point point(String measurement, Map<String, String> tags) {
        Map<String, String> t = new TreeMap<>();
        tags.forEach((k, v) -> {
            if (v != null && !v.isBlank()) {
                t.put(k, v);
            }
        });
        return new Point(measurement, Collections.unmodifiableMap(t));
    }

    /** The fields of one measurement with one set of tags. */
    public final class Point {
        private final String measurement;
        private final Map<String, String> tags;

        private Point(String measurement, Map<String, String> tags) {
            this.measurement = measurement;
            this.tags = tags;
        }

        /** A value; NaN and infinities (a reading the platform does not give) are left out. */
        public Point gauge(String field, double value) {
            if (Double.isFinite(value)) {
                out.add(new Sample(measurement, tags, field, value, Sample.Kind.GAUGE, timeMs));
            }
            return this;
        }

        public Point counter(String field, long value) {
            if (value >= 0) {
                out.add(new Sample(measurement, tags, field, value, Sample.Kind.COUNTER, timeMs));
            }
            return this;
        }
    }
}
