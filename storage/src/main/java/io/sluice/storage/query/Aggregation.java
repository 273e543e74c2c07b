package io.sluice.storage.query;

import java.util.Locale;

/** How values in one time bucket become one point, from the bucket's partial aggregates. */
public enum Aggregation {
    AVG("sum(sum) / nullif(sum(count), 0)"),
    MIN("min(min)"),
    MAX("max(max)"),
    SUM("sum(sum)"),
    COUNT("sum(count)::double precision"),
    LAST("(array_agg(last ORDER BY lt DESC))[1]");

    /**
     * SQL over partial aggregates: a rollup's columns, or raw samples and the head aggregated
     * alike ({@code lt} is the time of {@code last}).
     */
    final String rollup;

    Aggregation(String rollup) {
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
