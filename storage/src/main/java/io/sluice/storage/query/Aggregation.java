package io.sluice.storage.query;

import java.util.Locale;

/** How values in one time bucket become one point. */
public enum Aggregation {
    AVG("avg(value)", "sum(sum) / nullif(sum(count), 0)"),
    MIN("min(value)", "min(min)"),
    MAX("max(value)", "max(max)"),
    SUM("sum(value)", "sum(sum)"),
    COUNT("count(*)::double precision", "sum(count)::double precision"),
    LAST("(array_agg(value ORDER BY time DESC))[1]", "(array_agg(last ORDER BY bucket DESC))[1]");

    /** SQL over raw samples. */
    final String raw;
    /** SQL over a rollup's columns. */
    final String rollup;

    Aggregation(String raw, String rollup) {
        this.raw = raw;
        this.rollup = rollup;
    }

    /** @return the aggregation, or null when the name is not one */
    public static Aggregation parse(String s) {
        if (s == null) {
            return AVG;
        }
        try {
            return valueOf(s.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
