package io.sluice.server.influx;

import io.sluice.codec.influxql.Statement.Field;
import io.sluice.codec.influxql.Statement.Fill;
import io.sluice.codec.influxql.Statement.Select;
import io.sluice.storage.query.Aggregation;
import io.sluice.storage.query.Points;
import io.sluice.storage.query.QueryResult;
import io.sluice.storage.query.QueryService;
import io.sluice.storage.query.SeriesScope;
import io.sluice.storage.query.SeriesRef;
import io.sluice.storage.query.Source;

import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One InfluxQL {@code SELECT} over the native query path (README "InfluxDB API"). Aggregates use
 * Sluice's own bucketing (rollups where the range allows): {@code mean} as the sums over the
 * counts of every series in a group, {@code min}, {@code max}, {@code sum}, {@code count}
 * combined across a group's series; {@code first} and {@code last} from raw samples, so the
 * earliest or latest of the whole group wins. Buckets are aligned to the epoch, as InfluxDB's
 * are; an interval under a second, or not whole seconds, is rounded up to whole seconds.
 */
final class InfluxSelect {
    /** A statement the data makes unanswerable; InfluxDB reports these inside the result. */
    static final class Refused extends RuntimeException {
        Refused(String message) {
            super(message, null, false, false);
        }
    }

    private final QueryService service;
    private final SeriesScope scope;
    private final Select s;
    private final String epoch;

    InfluxSelect(QueryService service, SeriesScope scope, Select s, String epoch) {
        this.service = service;
        this.scope = scope;
        this.s = s;
        this.epoch = epoch;
    }

    List<Map<String, Object>> run() throws SQLException {
        if (s.endMicros() <= s.startMicros()) {
            return List.of();
        }
        return s.aggregated() ? aggregated() : raw();
    }

    // ---- aggregates -------------------------------------------------------------------------

    private List<Map<String, Object>> aggregated() throws SQLException {
        long step = s.intervalMicros() > 0 ? Math.max(1, (s.intervalMicros() + 999_999) / 1_000_000) * 1_000_000 : 0;
        long first = step > 0 ? Math.floorDiv(s.startMicros(), step) * step : s.startMicros();
        int buckets = step > 0 ? (int) Math.min(Integer.MAX_VALUE, (s.endMicros() - 1 - first) / step + 1) : 1;
        if (buckets > 100_000) {
            throw new Refused("more than 100000 buckets: a longer GROUP BY time() interval or a shorter range");
        }
        List<Map<String, String>> where = InfluxQueries.conditions(s.where());
        // group key -> column -> bucket values
        TreeMap<String, Group> groups = new TreeMap<>();
        List<Field> fields = s.fields();
        for (int i = 0; i < fields.size(); i++) {
            final int c = i;
            Field f = fields.get(c);
            String metric = InfluxQueries.metric(s.measurement(), f.field());
            if (f.field().equals("*")) {
                throw new Refused(f.function() + "(*): name the field (SHOW FIELD KEYS lists them)");
            }
            switch (f.function()) {
                case "mean" -> {
                    Map<String, double[]> sums = combined(metric, where, step, first, buckets, Aggregation.SUM, groups, fields.size());
                    Map<String, double[]> counts = combined(metric, where, step, first, buckets, Aggregation.COUNT, groups, fields.size());
                    for (Map.Entry<String, double[]> e : sums.entrySet()) {
                        double[] sum = e.getValue();
                        double[] n = counts.get(e.getKey());
                        double[] mean = new double[buckets];
                        for (int b = 0; b < buckets; b++) {
                            mean[b] = n == null || Double.isNaN(n[b]) || n[b] == 0 ? Double.NaN : sum[b] / n[b];
                        }
                        groups.get(e.getKey()).columns[c] = mean;
                    }
                }
                case "first", "last" -> fromRaw(metric, where, step, first, buckets, f.function().equals("first"), groups,
                        c, fields.size());
                default -> combined(metric, where, step, first, buckets, InfluxQueries.aggregation(f.function()), groups,
                        fields.size()).forEach((k, v) -> groups.get(k).columns[c] = v);
            }
        }
        List<String> columns = new ArrayList<>();
        columns.add("time");
        fields.forEach(f -> columns.add(f.column()));
        List<Map<String, Object>> out = new ArrayList<>();
        for (Group g : groups.values()) {
            List<List<Object>> rows = rows(g, first, step, buckets);
            if (!rows.isEmpty()) {
                out.add(InfluxQueries.series(s.measurement(), g.tags, columns, rows));
            }
        }
        return out;
    }

    /** One answer series: its tags (of GROUP BY), and per selected column the value of each bucket (NaN: none). */
    private static final class Group {
        final Map<String, String> tags;
        final double[][] columns;

        Group(Map<String, String> tags, int width) {
            this.tags = tags;
            this.columns = new double[width][];
        }
    }

    /**
     * The native aggregate of each series, combined per group and bucket: sums and counts add up,
     * minima and maxima compare.
     */
    private Map<String, double[]> combined(String metric, List<Map<String, String>> where, long step, long first, int buckets,
                                           Aggregation agg, TreeMap<String, Group> groups, int width) throws SQLException {
        long nativeStep = step > 0 ? step : wholeRange();
        Map<String, double[]> out = new HashMap<>();
        for (QueryResult.Entry e : InfluxQueries.query(service, scope, metric, where, s.startMicros(), s.endMicros(), nativeStep,
                agg, null)) {
            String key = group(e.series(), groups, width);
            double[] acc = out.computeIfAbsent(key, k -> nan(buckets));
            Points p = e.points();
            for (int i = 0; i < p.size(); i++) {
                int b = step > 0 ? (int) ((p.time(i) - first) / step) : 0;
                if (b < 0 || b >= buckets) {
                    continue;
                }
                double v = p.value(i);
                double a = acc[b];
                acc[b] = Double.isNaN(a) ? v : switch (agg) {
                    case MIN -> Math.min(a, v);
                    case MAX -> Math.max(a, v);
                    default -> a + v; // SUM and COUNT
                };
            }
        }
        return out;
    }

    /** {@code first}/{@code last}: the earliest or latest raw sample of the group in each bucket. */
    private void fromRaw(String metric, List<Map<String, String>> where, long step, long first, int buckets, boolean earliest,
                         TreeMap<String, Group> groups, int column, int width) throws SQLException {
        Map<String, double[]> values = new HashMap<>();
        Map<String, long[]> times = new HashMap<>();
        for (QueryResult.Entry e : InfluxQueries.query(service, scope, metric, where, s.startMicros(), s.endMicros(), 0,
                Aggregation.AVG, Source.RAW)) {
            String key = group(e.series(), groups, width);
            double[] v = values.computeIfAbsent(key, k -> nan(buckets));
            long[] t = times.computeIfAbsent(key, k -> new long[buckets]);
            Points p = e.points();
            for (int i = 0; i < p.size(); i++) {
                int b = step > 0 ? (int) ((p.time(i) - first) / step) : 0;
                if (b < 0 || b >= buckets) {
                    continue;
                }
                if (Double.isNaN(v[b]) || (earliest ? p.time(i) < t[b] : p.time(i) > t[b])) {
                    v[b] = p.value(i);
                    t[b] = p.time(i);
                }
            }
        }
        values.forEach((k, v) -> groups.get(k).columns[column] = v);
    }

    /** A native step putting the whole range in one epoch-aligned bucket (no GROUP BY time). */
    private long wholeRange() {
        return (Math.floorDiv(s.endMicros(), 1_000_000) + 2) * 1_000_000;
    }

    private String group(SeriesRef r, TreeMap<String, Group> groups, int width) {
        Map<String, String> tags;
        if (s.groupByAll()) {
            tags = new TreeMap<>(r.tags());
        } else {
            tags = new TreeMap<>();
            for (String t : s.groupByTags()) {
                tags.put(t, r.tags().getOrDefault(t, ""));
            }
        }
        String key = tags.toString();
        groups.computeIfAbsent(key, k -> new Group(tags, width));
        return key;
    }

    private List<List<Object>> rows(Group g, long first, long step, int buckets) {
        List<List<Object>> rows = new ArrayList<>();
        Object[] previous = new Object[g.columns.length];
        for (int b = 0; b < buckets; b++) {
            List<Object> row = new ArrayList<>(g.columns.length + 1);
            row.add(time(step > 0 ? first + b * step : s.startMicros()));
            boolean any = false;
            for (int c = 0; c < g.columns.length; c++) {
                double[] col = g.columns[c];
                double v = col == null ? Double.NaN : col[b];
                Object cell = Double.isNaN(v) ? null : v;
                if (cell != null) {
                    any = true;
                    previous[c] = cell;
                } else if (s.fill().kind() == Fill.Kind.NUMBER) {
                    cell = s.fill().value();
                } else if (s.fill().kind() == Fill.Kind.PREVIOUS) {
                    cell = previous[c];
                }
                row.add(cell);
            }
            if (any || (step > 0 && s.fill().kind() != Fill.Kind.NONE)) {
                rows.add(row);
            }
        }
        return order(rows);
    }

    // ---- raw samples ------------------------------------------------------------------------

    /**
     * Raw samples: one answer series whose columns are time, then (for {@code *}) the tags, then
     * the fields; a row per distinct time and tag set. At most {@code LIMIT} rows, or
     * {@link InfluxQueries#MAX_ROWS} (the answer then says {@code "partial": true}).
     */
    private List<Map<String, Object>> raw() throws SQLException {
        List<Map<String, String>> where = InfluxQueries.conditions(s.where());
        boolean star = s.fields().stream().anyMatch(f -> f.field().equals("*"));
        List<String> fieldNames = new ArrayList<>();
        List<String> columnNames = new ArrayList<>();
        if (star) {
            fieldNames.addAll(InfluxQueries.fields(service, scope, s.measurement()));
            columnNames.addAll(fieldNames);
        } else {
            s.fields().forEach(f -> {
                fieldNames.add(f.field());
                columnNames.add(f.column());
            });
        }
        // time -> tag set -> column -> value: one row per distinct time and tag set, in time order
        TreeMap<Long, Map<Map<String, String>, Map<String, Object>>> byTime = new TreeMap<>();
        TreeMap<String, String> tagKeys = new TreeMap<>();
        for (int c = 0; c < fieldNames.size(); c++) {
            for (QueryResult.Entry e : InfluxQueries.query(service, scope, InfluxQueries.metric(s.measurement(), fieldNames.get(c)),
                    where, s.startMicros(), s.endMicros(), 0, Aggregation.AVG, Source.RAW)) {
                e.series().tags().keySet().forEach(k -> tagKeys.put(k, k));
                Points p = e.points();
                for (int i = 0; i < p.size(); i++) {
                    byTime.computeIfAbsent(p.time(i), t -> new java.util.LinkedHashMap<>())
                            .computeIfAbsent(e.series().tags(), t -> new HashMap<>()).put(columnNames.get(c), p.value(i));
                }
            }
        }
        List<String> columns = new ArrayList<>();
        columns.add("time");
        if (star) {
            columns.addAll(tagKeys.keySet());
        }
        columns.addAll(columnNames);
        List<List<Object>> rows = new ArrayList<>();
        byTime.forEach((t, bySeries) -> bySeries.forEach((tags, values) -> {
            List<Object> row = new ArrayList<>(columns.size());
            row.add(time(t));
            if (star) {
                tagKeys.keySet().forEach(k -> row.add(tags.get(k)));
            }
            columnNames.forEach(c -> row.add(values.get(c)));
            rows.add(row);
        }));
        List<List<Object>> ordered = order(rows);
        int max = s.limit() > 0 ? Math.min(s.limit(), InfluxQueries.MAX_ROWS) : InfluxQueries.MAX_ROWS;
        boolean partial = ordered.size() > max;
        if (partial) {
            ordered = new ArrayList<>(ordered.subList(0, max));
        }
        if (ordered.isEmpty()) {
            return List.of();
        }
        Map<String, Object> series = InfluxQueries.series(s.measurement(), null, columns, ordered);
        if (partial && s.limit() == 0) {
            series.put("partial", true);
        }
        return List.of(series);
    }

    // ---- shared -------------------------------------------------------------------------------

    private List<List<Object>> order(List<List<Object>> rows) {
        if (s.descending()) {
            Collections.reverse(rows);
        }
        if (s.aggregated() && s.limit() > 0 && rows.size() > s.limit()) {
            return new ArrayList<>(rows.subList(0, s.limit()));
        }
        return rows;
    }

    /** A time in the answer: epoch in the asked unit, else RFC 3339 (as InfluxDB without {@code epoch}). */
    private Object time(long micros) {
        if (epoch == null) {
            return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000), Math.floorMod(micros, 1_000_000) * 1000L).toString();
        }
        return switch (epoch) {
            case "ns", "n" -> micros * 1000;
            case "u", "µ", "us" -> micros;
            case "ms" -> Math.floorDiv(micros, 1000);
            case "s" -> Math.floorDiv(micros, 1_000_000);
            case "m" -> Math.floorDiv(micros, 60_000_000);
            case "h" -> Math.floorDiv(micros, 3_600_000_000L);
            default -> throw new IllegalStateException("epoch checked by the route: " + epoch);
        };
    }

    private static double[] nan(int n) {
        double[] a = new double[n];
        java.util.Arrays.fill(a, Double.NaN);
        return a;
    }
}
