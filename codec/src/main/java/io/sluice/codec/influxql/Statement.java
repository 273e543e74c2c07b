package io.sluice.codec.influxql;

import java.util.List;
import java.util.regex.Pattern;

/** One statement of the InfluxQL subset Sluice answers ({@code package-info.java}). */
public sealed interface Statement {
    /**
     * A statement InfluxDB clients send at start-up that has nothing to do in Sluice (one store,
     * one retention setting): {@code CREATE DATABASE}, {@code DROP DATABASE},
     * {@code CREATE|ALTER|DROP RETENTION POLICY}. {@code verb} names it; {@code database} is the
     * database named, when there is one.
     */
    record NoOp(String verb, String database) implements Statement {
    }

    record ShowDatabases() implements Statement {
    }

    record ShowRetentionPolicies(String database) implements Statement {
    }

    /**
     * {@code WITH MEASUREMENT = "x"} ({@code exact}) or {@code =~ /re/} ({@code regex}), or neither;
     * {@code where}: only measurements with a series carrying these tags.
     */
    record ShowMeasurements(String exact, Pattern regex, List<TagCondition> where, int limit, int offset) implements Statement {
    }

    /** {@code where}: the keys of the series carrying these tags. */
    record ShowTagKeys(String measurement, List<TagCondition> where, int limit, int offset) implements Statement {
    }

    /** {@code WITH KEY = "k"}, {@code IN ("a","b")} ({@code keys}) or {@code =~ /re/} ({@code keyRegex}). */
    record ShowTagValues(String measurement, List<String> keys, Pattern keyRegex, List<TagCondition> where, int limit,
                         int offset) implements Statement {
    }

    record ShowFieldKeys(String measurement) implements Statement {
    }

    /**
     * {@code SELECT}: aggregates over time buckets ({@code intervalMicros > 0}) or raw samples
     * ({@code fields} without functions, or {@code *}), from one measurement, between
     * {@code startMicros} (inclusive) and {@code endMicros} (exclusive).
     *
     * @param groupByTags tags whose values split the answer into series ({@code GROUP BY "host"})
     * @param groupByAll  {@code GROUP BY *}: one answer series per stored series
     * @param limit       points per series at most (0: no limit)
     */
    record Select(List<Field> fields, String measurement, long startMicros, long endMicros, boolean startGiven,
                  List<TagCondition> where, long intervalMicros, List<String> groupByTags, boolean groupByAll,
                  Fill fill, int limit, boolean descending) implements Statement {
        public boolean aggregated() {
            return intervalMicros > 0 || fields.stream().anyMatch(f -> f.function() != null);
        }
    }

    /** A selected column: {@code function("field") AS alias}, or a raw {@code "field"}, or {@code *}. */
    record Field(String function, String field, String alias) {
        /** The column's name in the answer: the alias, else the function, else the field. */
        public String column() {
            return alias != null ? alias : function != null ? function : field;
        }
    }

    /**
     * {@code "tag" = 'value'}, or the tag equal to any of {@code values}: an anchored regex of
     * literals, {@code =~ /^value$/} or {@code =~ /^(a|b)$/} (what Grafana sends for a template
     * variable with one or several values).
     */
    record TagCondition(String key, List<String> values) {
        public TagCondition {
            values = List.copyOf(values);
        }

        public TagCondition(String key, String value) {
            this(key, List.of(value));
        }
    }

    /** What an empty time bucket shows: nothing, null, or a number. */
    record Fill(Kind kind, double value) {
        public enum Kind { NONE, NULL, NUMBER, PREVIOUS }

        public static final Fill NULL = new Fill(Kind.NULL, 0);
    }
}
