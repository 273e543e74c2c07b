package io.sluice.server.influx;

import io.sluice.codec.influxql.Statement;
import io.sluice.codec.influxql.Statement.TagCondition;
import io.sluice.storage.query.Aggregation;
import io.sluice.storage.query.Query;
import io.sluice.storage.query.QueryResult;
import io.sluice.storage.query.QueryService;
import io.sluice.storage.query.SeriesScope;
import io.sluice.storage.query.SeriesRef;
import io.sluice.storage.query.Source;

import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Answers InfluxQL statements from the series catalogue and the native query path, in InfluxDB's
 * JSON shape ({@code {"statement_id":0,"series":[{"name","tags","columns","values"}]}}); README
 * "InfluxDB API" says what each maps to. Runs on a query worker, never on an event loop.
 *
 * <p>Measurements are Sluice's metrics; a measurement's fields are {@code value} (the metric
 * itself) and {@code f} for each metric named {@code <measurement>_f}, the names line protocol
 * writes give, so {@code SELECT mean("usage_user") FROM "cpu"} reads metric {@code cpu_usage_user}.
 */
final class InfluxQueries {
    /** Names and series listed at most per statement; rows of a raw SELECT at most (then "partial"). */
    static final int MAX_LIST = 10_000;
    static final int MAX_ROWS = 10_000;
    /** The one database Sluice always lists, beside those clients created (no-ops, remembered a while). */
    static final String DEFAULT_DB = "sluice";
    private static final int MAX_REMEMBERED = 1000;

    private final QueryService service;
    private final Duration retention;
    private final Set<String> databases = ConcurrentHashMap.newKeySet();

    InfluxQueries(QueryService service, Duration retention) {
        this.service = service;
        this.retention = retention;
    }

    /** One statement's result object; {@code epoch} null for RFC 3339 times. */
    Map<String, Object> run(int id, Statement st, String epoch, SeriesScope scope) throws SQLException {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("statement_id", id);
        try {
            List<Map<String, Object>> series;
            if (st instanceof Statement.NoOp n) {
                series = noOp(n);
            } else if (st instanceof Statement.ShowDatabases) {
                series = List.of(series("databases", null, List.of("name"), databaseRows()));
            } else if (st instanceof Statement.ShowRetentionPolicies) {
                series = List.of(series(null, null, List.of("name", "duration", "shardGroupDuration", "replicaN", "default"),
                        List.of(List.of("autogen", goDuration(retention), "168h0m0s", 1, true))));
            } else if (st instanceof Statement.ShowMeasurements m) {
                series = measurements(m, scope);
            } else if (st instanceof Statement.ShowTagKeys k) {
                series = tagKeys(k, scope);
            } else if (st instanceof Statement.ShowTagValues v) {
                series = tagValues(v, scope);
            } else if (st instanceof Statement.ShowFieldKeys f) {
                series = fieldKeys(f, scope);
            } else {
                series = new InfluxSelect(service, scope, (Statement.Select) st, epoch).run();
            }
            if (!series.isEmpty()) {
                r.put("series", series);
            }
        } catch (QueryService.TooLarge | InfluxSelect.Refused e) {
            r.put("error", e.getMessage());
        }
        return r;
    }

    private List<Map<String, Object>> noOp(Statement.NoOp n) {
        if (n.verb().equals("CREATE DATABASE") && databases.size() < MAX_REMEMBERED) {
            databases.add(n.database());
        } else if (n.verb().equals("DROP DATABASE")) {
            databases.remove(n.database()); // the name only: Sluice has one store, nothing is deleted
        }
        return List.of();
    }

    private List<List<Object>> databaseRows() {
        TreeSet<String> names = new TreeSet<>(databases);
        names.add(DEFAULT_DB);
        List<List<Object>> rows = new ArrayList<>();
        names.forEach(n -> rows.add(List.of(n)));
        return rows;
    }

    private List<Map<String, Object>> measurements(Statement.ShowMeasurements s, SeriesScope scope) throws SQLException {
        List<String> names;
        if (!s.where().isEmpty()) {
            TreeSet<String> carrying = new TreeSet<>();
            for (SeriesRef r : seriesWhere(scope, s.exact(), s.where(), MAX_LIST)) {
                carrying.add(r.metric());
            }
            names = new ArrayList<>(carrying);
        } else {
            names = s.exact() != null ? service.names(scope, s.exact(), MAX_LIST).stream()
                    .filter(s.exact()::equals).toList() : service.names(scope, null, MAX_LIST);
        }
        List<List<Object>> rows = new ArrayList<>();
        for (String n : page(filter(names, s.regex()), s.limit(), s.offset())) {
            rows.add(List.of(n));
        }
        return rows.isEmpty() ? List.of() : List.of(series("measurements", null, List.of("name"), rows));
    }

    private List<Map<String, Object>> tagKeys(Statement.ShowTagKeys s, SeriesScope scope) throws SQLException {
        Map<String, TreeSet<String>> keys = new TreeMap<>();
        for (SeriesRef r : seriesWhere(scope, s.measurement(), s.where(), MAX_LIST)) {
            keys.computeIfAbsent(r.metric(), k -> new TreeSet<>()).addAll(r.tags().keySet());
        }
        List<Map<String, Object>> out = new ArrayList<>();
        keys.forEach((m, ks) -> {
            List<List<Object>> rows = new ArrayList<>();
            page(new ArrayList<>(ks), s.limit(), s.offset()).forEach(k -> rows.add(List.of(k)));
            if (!rows.isEmpty()) {
                out.add(series(m, null, List.of("tagKey"), rows));
            }
        });
        return out;
    }

    private List<Map<String, Object>> tagValues(Statement.ShowTagValues s, SeriesScope scope) throws SQLException {
        Map<String, TreeSet<List<String>>> byMeasurement = new TreeMap<>();
        for (SeriesRef r : seriesWhere(scope, s.measurement(), s.where(), MAX_LIST)) {
            for (Map.Entry<String, String> t : r.tags().entrySet()) {
                boolean wanted = s.keyRegex() != null ? s.keyRegex().matcher(t.getKey()).find() : s.keys().contains(t.getKey());
                if (wanted) {
                    byMeasurement.computeIfAbsent(r.metric(), k -> new TreeSet<>(InfluxQueries::compare))
                            .add(List.of(t.getKey(), t.getValue()));
                }
            }
        }
        List<Map<String, Object>> out = new ArrayList<>();
        byMeasurement.forEach((m, pairs) -> {
            List<List<Object>> rows = new ArrayList<>();
            page(new ArrayList<>(pairs), s.limit(), s.offset()).forEach(p -> rows.add(List.copyOf(p)));
            if (!rows.isEmpty()) {
                out.add(series(m, null, List.of("key", "value"), rows));
            }
        });
        return out;
    }

    private List<Map<String, Object>> fieldKeys(Statement.ShowFieldKeys s, SeriesScope scope) throws SQLException {
        List<String> measurements = s.measurement() != null ? List.of(s.measurement()) : service.names(scope, null, MAX_LIST);
        List<Map<String, Object>> out = new ArrayList<>();
        for (String m : measurements) {
            List<List<Object>> rows = new ArrayList<>();
            for (String f : fields(service, scope, m)) {
                rows.add(List.of(f, "float"));
            }
            if (!rows.isEmpty()) {
                out.add(series(m, null, List.of("fieldKey", "fieldType"), rows));
            }
        }
        return out;
    }

    /** A measurement's fields: {@code value} if it is a metric, and {@code f} for each metric {@code m_f}. */
    static List<String> fields(QueryService service, SeriesScope scope, String measurement) throws SQLException {
        List<String> out = new ArrayList<>();
        for (String name : service.names(scope, measurement, MAX_LIST)) {
            if (name.equals(measurement)) {
                out.add(0, "value");
            } else if (name.startsWith(measurement + "_")) {
                out.add(name.substring(measurement.length() + 1));
            }
        }
        return out;
    }

    /** The metric a field of a measurement is stored as (the line protocol mapping, reversed). */
    static String metric(String measurement, String field) {
        return field.equals("value") ? measurement : measurement + "_" + field;
    }

    /** Most exact tag sets one WHERE may stand for (the product of its conditions' values). */
    static final int MAX_TAG_SETS = 256;

    /**
     * The exact tag sets the conditions stand for: one per combination of their values (a series
     * has one value per key, so it matches at most one of them). Conditions on the same key keep
     * the values both allow; none left, no set: nothing matches, as in InfluxDB.
     */
    static List<Map<String, String>> conditions(List<TagCondition> where) {
        Map<String, List<String>> allowed = new TreeMap<>();
        for (TagCondition c : where) {
            allowed.merge(c.key(), c.values(), (a, b) -> a.stream().filter(b::contains).toList());
        }
        List<Map<String, String>> sets = new ArrayList<>();
        sets.add(new TreeMap<>());
        for (Map.Entry<String, List<String>> e : allowed.entrySet()) {
            if ((long) sets.size() * e.getValue().size() > MAX_TAG_SETS) {
                throw new InfluxSelect.Refused("the WHERE conditions allow more than " + MAX_TAG_SETS
                        + " combinations of tag values; choose fewer values");
            }
            List<Map<String, String>> next = new ArrayList<>();
            for (Map<String, String> set : sets) {
                for (String v : e.getValue()) {
                    Map<String, String> m = new TreeMap<>(set);
                    m.put(e.getKey(), v);
                    next.add(m);
                }
            }
            sets = next;
        }
        return sets;
    }

    /** The series of {@code measurement} (or of all) carrying any of the tag sets, at most {@code max} per set. */
    private List<SeriesRef> seriesWhere(SeriesScope scope, String measurement, List<TagCondition> where, int max)
            throws SQLException {
        List<SeriesRef> out = new ArrayList<>();
        for (Map<String, String> tags : conditions(where)) {
            out.addAll(service.series(scope, measurement, scope.narrow(tags), max));
        }
        return out;
    }

    static Map<String, Object> series(String name, Map<String, String> tags, List<String> columns, List<List<Object>> values) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (name != null) {
            m.put("name", name);
        }
        if (tags != null && !tags.isEmpty()) {
            m.put("tags", tags);
        }
        m.put("columns", columns);
        m.put("values", values);
        return m;
    }

    private static List<String> filter(List<String> names, Pattern regex) {
        return regex == null ? names : names.stream().filter(n -> regex.matcher(n).find()).toList();
    }

    private static <T> List<T> page(List<T> all, int limit, int offset) {
        if (offset >= all.size()) {
            return List.of();
        }
        int end = limit > 0 ? (int) Math.min(all.size(), (long) offset + limit) : all.size();
        return all.subList(offset, end);
    }

    private static int compare(List<String> a, List<String> b) {
        int c = a.get(0).compareTo(b.get(0));
        return c != 0 ? c : a.get(1).compareTo(b.get(1));
    }

    /** A duration as Go prints it ({@code 720h0m0s}), as InfluxDB's SHOW RETENTION POLICIES does. */
    static String goDuration(Duration d) {
        long s = d.toSeconds();
        return s == 0 ? "0s" : (s / 3600) + "h" + (s % 3600 / 60) + "m" + (s % 60) + "s";
    }

    /** The native aggregation an InfluxQL function combines (mean, first and last are done apart). */
    static Aggregation aggregation(String function) {
        return switch (function) {
            case "min" -> Aggregation.MIN;
            case "max" -> Aggregation.MAX;
            case "sum" -> Aggregation.SUM;
            case "count" -> Aggregation.COUNT;
            default -> throw new IllegalArgumentException(function);
        };
    }

    /** The native query of {@code metric} for each tag set of {@code where}, their series together. */
    static List<QueryResult.Entry> query(QueryService service, SeriesScope scope, String metric,
                                         List<Map<String, String>> where, long start, long end, long step,
                                         Aggregation agg, Source source) throws SQLException {
        if (end <= start || where.isEmpty()) {
            return Collections.emptyList();
        }
        List<QueryResult.Entry> out = new ArrayList<>();
        for (Map<String, String> tags : where) {
            out.addAll(service.query(scope, new Query(metric, scope.narrow(tags), start, end, step, 0, agg, source))
                    .series());
        }
        return out;
    }
}
