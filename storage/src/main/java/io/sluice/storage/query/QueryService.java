package io.sluice.storage.query;

import io.sluice.storage.head.Head;
import org.postgresql.util.ByteConverter;

import javax.sql.DataSource;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Answers queries from raw samples or rollups. Blocking JDBC: callers run it on a worker pool,
 * never on an event loop. Limits protect the database: series per query, raw rows per query.
 */
public final class QueryService {
    public static final int MAX_SERIES = 1000;
    /** Raw samples one answer may hold; past it the caller is told to ask for buckets. */
    public static final int MAX_RAW_ROWS = 2_000_000;

    private final DataSource db;
    private final boolean timescale;

    public QueryService(DataSource db, boolean timescale) {
        this.db = db;
        this.timescale = timescale;
    }

    /** Thrown for a question too large to answer; its message names the limit. */
    public static final class TooLarge extends RuntimeException {
        public TooLarge(String message) {
            super(message, null, false, false);
        }
    }

    public List<SeriesRef> series(SeriesScope scope, String metric, Map<String, String> tags, int limit)
            throws SQLException {
        try (Connection c = db.getConnection()) {
            return series(c, scope, metric, tags, limit);
        }
    }

    private static List<SeriesRef> series(Connection c, SeriesScope scope, String metric, Map<String, String> tags,
                                          int limit) throws SQLException {
        List<Object> args = new ArrayList<>();
        String sql = "SELECT s.id, s.metric, e.key, e.value FROM (" + matching(scope, metric, tags, limit, args)
                + ") s LEFT JOIN LATERAL jsonb_each_text(s.tags) e ON true ORDER BY s.id";
        Map<Integer, SeriesRef> out = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, args, 1);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    int id = rs.getInt(1);
                    SeriesRef ref = out.computeIfAbsent(id, k -> {
                        try {
                            return new SeriesRef(k, rs.getString(2), new TreeMap<>());
                        } catch (SQLException e) {
                            throw new IllegalStateException(e);
                        }
                    });
                    if (rs.getString(3) != null) {
                        ref.tags().put(rs.getString(3), rs.getString(4));
                    }
                }
            }
        }
        return new ArrayList<>(out.values());
    }

    /** {@code SELECT id, metric, tags} of the series in scope matching the metric and tags, first {@code limit} by id. */
    private static String matching(SeriesScope scope, String metric, Map<String, String> tags, int limit,
                                   List<Object> args) {
        StringBuilder sql = new StringBuilder("SELECT id, metric, tags FROM ").append(scope.relation()).append(" s WHERE true");
        if (metric != null) {
            sql.append(" AND metric = ?");
            args.add(metric);
        }
        if (!tags.isEmpty()) {
            sql.append(" AND tags @> ?::jsonb");
            args.add(json(tags));
        }
        args.add(limit);
        return sql.append(" ORDER BY id LIMIT ?").toString();
    }

    private static int bind(PreparedStatement ps, List<Object> args, int first) throws SQLException {
        for (Object a : args) {
            ps.setObject(first++, a);
        }
        return first;
    }

    public List<String> names(SeriesScope scope, String prefix, int limit) throws SQLException {
        try (Connection c = db.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT DISTINCT metric FROM " + scope.relation()
                     + " s WHERE metric LIKE ? ORDER BY 1 LIMIT ?")) {
            ps.setString(1, (prefix == null ? "" : prefix.replace("%", "\\%").replace("_", "\\_")) + "%");
            ps.setInt(2, limit);
            return strings(ps);
        }
    }

    public List<String> tagValues(SeriesScope scope, String key, String metric, int limit) throws SQLException {
        try (Connection c = db.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT DISTINCT tags->>? FROM " + scope.relation()
                     + " s WHERE tags ?? ?"
                     + (metric != null ? " AND metric = ?" : "") + " ORDER BY 1 LIMIT ?")) {
            ps.setString(1, key);
            ps.setString(2, key);
            int i = 3;
            if (metric != null) {
                ps.setString(i++, metric);
            }
            ps.setInt(i, limit);
            return strings(ps);
        }
    }

    /** Where latest values may already be known without reading samples. */
    public interface LatestSource {
        /** @return the newest point of the series, or null when unknown here */
        Points latest(SeriesRef series);
    }

    private volatile LatestSource memory = s -> null;
    /** The hot tier's head (README, "Hot tier and head"), or null: then the database answers all. */
    private volatile Head head;

    /** Answers from {@code head} for times at or after its start; the database for the rest. */
    public void headFrom(Head head) {
        this.head = head;
    }

    public void latestFrom(LatestSource source) {
        this.memory = source;
    }

    /** The newest sample of each matching series: from memory where known, else from the database. */
    public List<QueryResult.Entry> latest(SeriesScope scope, String metric, Map<String, String> tags) throws SQLException {
        try (Connection c = db.getConnection()) {
            List<SeriesRef> all = series(c, scope, metric, tags, MAX_SERIES);
            List<QueryResult.Entry> known = new ArrayList<>();
            List<SeriesRef> refs = new ArrayList<>();
            Head h = head;
            // A series with nothing in the head has nothing at or after its start: the database
            // is asked below it only, so it reads sealed pieces through their index.
            long below = h == null ? Long.MAX_VALUE : h.from();
            for (SeriesRef r : all) {
                Points p = memory.latest(r);
                if (p == null && h != null) {
                    Points fromHead = new Points(1);
                    h.latest(r.id(), fromHead::add);
                    p = fromHead.size() > 0 ? fromHead : null;
                }
                if (p != null) {
                    known.add(new QueryResult.Entry(r, p));
                } else {
                    refs.add(r);
                }
            }
            if (refs.isEmpty()) {
                return known;
            }
            Map<Integer, SeriesRef> byId = index(refs);
            List<QueryResult.Entry> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT l.series_id, l.time, l.value FROM unnest(?::int[]) AS u(id)"
                    + " CROSS JOIN LATERAL (SELECT series_id, time, value FROM samples_between('-infinity', "
                    + (below == Long.MAX_VALUE ? "'infinity'" : "?") + ") WHERE series_id = u.id ORDER BY time DESC LIMIT 1) l")) {
                ps.setArray(1, ids(c, refs));
                if (below != Long.MAX_VALUE) {
                    ps.setTimestamp(2, Rollups.ts(below));
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        Points p = new Points(1);
                        p.add(Rollups.micros(rs, 2), rs.getDouble(3));
                        out.add(new QueryResult.Entry(byId.get(rs.getInt(1)), p));
                    }
                }
            }
            out.addAll(known);
            return out;
        }
    }

    public QueryResult query(SeriesScope scope, Query q) throws SQLException {
        long range = q.endMicros() - q.startMicros();
        Source source = q.source() != null ? q.source()
                : q.points() > 0 || q.stepMicros() > 0 ? Source.forRange(java.time.Duration.ofNanos(range * 1000)) : Source.RAW;
        // Never a rollup coarser than the step asked for.
        while (q.stepMicros() > 0 && source != Source.RAW && source.bucketMicros > q.stepMicros()) {
            source = Rollups.below(source);
        }
        try (Connection c = db.getConnection()) {
            if (source == Source.RAW && q.stepMicros() == 0) {
                return new QueryResult(source, 0, raw(c, scope, q));
            }
            List<SeriesRef> refs = series(c, scope, q.metric(), q.tags(), MAX_SERIES + 1);
            if (refs.size() > MAX_SERIES) {
                throw tooManySeries();
            }
            Map<Integer, SeriesRef> byId = index(refs);
            Map<Integer, Points> points = new TreeMap<>(); // answers list series by id
            long step = Math.max(q.stepMicros(), source.bucketMicros);
            bucketed(c, refs, q, source, step, points);
            List<QueryResult.Entry> entries = new ArrayList<>();
            for (Map.Entry<Integer, Points> e : points.entrySet()) {
                Points p = q.points() > 0 ? e.getValue().lttb(q.points()) : e.getValue();
                entries.add(new QueryResult.Entry(byId.get(e.getKey()), p));
            }
            return new QueryResult(source, step, entries);
        }
    }

    /**
     * Raw samples of every matching series in one statement and one round trip: the series lookup
     * is part of it, and each series' points come back as one row holding its (time, value) pairs
     * packed as 16 bytes each ({@code timestamptz_send || float8send}), not as a row per sample.
     * On 50 M rows, an hour of one series (3,000 samples) read from JDBC: p50 2.39 → 2.12 ms, p99
     * 11.0 → 6.4 ms against the lookup and a row per sample (the driver's per-row arrays were half
     * of what the answer allocated).
     *
     * <p>The samples are read ordered {@code series_id DESC, time}: the index is
     * {@code (series_id, time DESC)}, so read backwards it yields exactly that order and
     * PostgreSQL sorts nothing, neither for the scan nor for the aggregate's {@code ORDER BY time}
     * (PostgreSQL 16 on; 15 sorts each series' rows). Too many series and no sample is read; too
     * many samples and the {@code LIMIT} stops the scan one past the limit.
     */
    private List<QueryResult.Entry> raw(Connection c, SeriesScope scope, Query q) throws SQLException {
        Head h = head;
        for (int attempt = 0; ; attempt++) {
            // Below the head's start the database answers, at and after it the head; if the start
            // moved while this read (sealing, memory pressure), read again; after three tries the
            // database answers alone.
            boolean useHead = h != null && attempt < 3;
            long epoch = useHead ? h.epoch() : 0;
            long split = useHead ? Math.max(q.startMicros(), h.from()) : Long.MAX_VALUE;
            List<QueryResult.Entry> out = raw(c, scope, q, Math.min(q.endMicros(), split), useHead ? h : null, split);
            if (!useHead || h.stable(epoch)) {
                return out;
            }
        }
    }

    private static List<QueryResult.Entry> raw(Connection c, SeriesScope scope, Query q, long dbEnd, Head h, long headFrom)
            throws SQLException {
        List<Object> args = new ArrayList<>();
        // When the head holds the whole range the database is asked for the series only: even an
        // empty range of samples_between costs a scan of the hot blocks whenever the planner has
        // no statistics for them yet (a load in its first minute: 46 ms for 174,000 blocks, as a
        // sequential scan, against 0.4 ms through their BRIN; docs/BENCHMARKS.md, round 8).
        boolean fromDatabase = dbEnd > q.startMicros();
        String sql = "WITH s AS MATERIALIZED (" + matching(scope, q.metric(), q.tags(), MAX_SERIES + 1, args) + "),"
                + (fromDatabase
                ? " p AS (SELECT series_id, string_agg(timestamptz_send(time) || float8send(value), ''::bytea ORDER BY time) AS tv"
                + " FROM (SELECT series_id, time, value FROM samples_between(?, ?) WHERE (SELECT count(*) FROM s) <= " + MAX_SERIES
                + " AND series_id = ANY(ARRAY(SELECT id FROM s))"
                + " ORDER BY series_id DESC, time LIMIT ?) r GROUP BY series_id ORDER BY series_id DESC)"
                : " p AS (SELECT NULL::integer AS series_id, NULL::bytea AS tv WHERE false)")
                + " SELECT s.id, s.metric, t.keys, t.vals, p.tv FROM s LEFT JOIN LATERAL (SELECT array_agg(key ORDER BY key) AS keys,"
                + " array_agg(value ORDER BY key) AS vals FROM jsonb_each_text(s.tags)) t ON true"
                + " LEFT JOIN p ON p.series_id = s.id ORDER BY s.id";
        List<QueryResult.Entry> out = new ArrayList<>();
        int matched = 0;
        long rows = 0;
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            binary(ps);
            int i = bind(ps, args, 1);
            if (fromDatabase) {
                ps.setTimestamp(i++, Rollups.ts(q.startMicros()));
                ps.setTimestamp(i++, Rollups.ts(dbEnd));
                ps.setInt(i, MAX_RAW_ROWS + 1);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (++matched > MAX_SERIES) {
                        throw tooManySeries();
                    }
                    byte[] tv = rs.getBytes(5);
                    int n = tv == null ? 0 : tv.length / 16;
                    Points p = new Points(n);
                    for (int k = 0; k < n * 16; k += 16) {
                        p.add(Rollups.fromPostgresMicros(ByteConverter.int8(tv, k)), ByteConverter.float8(tv, k + 8));
                    }
                    if (h != null && headFrom < q.endMicros()) {
                        h.read(rs.getInt(1), Math.max(q.startMicros(), headFrom), q.endMicros(), p::add);
                    }
                    if (p.size() == 0) {
                        continue; // no samples in range: not listed, as with buckets
                    }
                    rows += p.size();
                    if (rows > MAX_RAW_ROWS) {
                        break;
                    }
                    out.add(new QueryResult.Entry(new SeriesRef(rs.getInt(1), rs.getString(2),
                            tags(rs.getArray(3), rs.getArray(4))), p));
                }
            }
        }
        if (rows > MAX_RAW_ROWS) {
            throw new TooLarge("more than " + MAX_RAW_ROWS + " raw samples in range; give step= or points=, or a shorter range");
        }
        if (q.points() > 0) {
            out.replaceAll(e -> new QueryResult.Entry(e.series(), e.points().lttb(q.points())));
        }
        return out;
    }

    private static TooLarge tooManySeries() {
        return new TooLarge("more than " + MAX_SERIES + " series match; narrow the tag filters");
    }

    /** Binary results from the first run (the driver would wait for the fifth). */
    private static void binary(PreparedStatement ps) throws SQLException {
        ps.unwrap(org.postgresql.PGStatement.class).setPrepareThreshold(-1);
    }

    private static Map<String, String> tags(Array keys, Array values) throws SQLException {
        Map<String, String> tags = new TreeMap<>();
        if (keys != null) {
            String[] k = (String[]) keys.getArray();
            String[] v = (String[]) values.getArray();
            for (int i = 0; i < k.length; i++) {
                tags.put(k[i], v[i]);
            }
        }
        return tags;
    }

    /**
     * Buckets of {@code step} from partial aggregates {@code (series_id, bucket, count, sum, min,
     * max, last, lt)} ({@code lt}: the time of {@code last}): a rollup's complete buckets below
     * its watermark, raw samples aggregated on the fly past it (real-time aggregation) and below
     * the head's start, and the head's samples aggregated here at and after it. A bucket may get
     * a partial from each; the outer aggregation combines them.
     */
    private void bucketed(Connection c, List<SeriesRef> refs, Query q, Source source, long step,
                          Map<Integer, Points> out) throws SQLException {
        Head h = head;
        for (int attempt = 0; ; attempt++) {
            boolean useHead = h != null && attempt < 3;
            long epoch = useHead ? h.epoch() : 0;
            Map<Integer, Points> got = new TreeMap<>();
            bucketed(c, refs, q, source, step, useHead ? h : null, got);
            if (!useHead || h.stable(epoch)) {
                out.putAll(got);
                return;
            }
        }
    }

    private void bucketed(Connection c, List<SeriesRef> refs, Query q, Source source, long step, Head h,
                          Map<Integer, Points> out) throws SQLException {
        boolean rollup = source != Source.RAW;
        long start = q.startMicros();
        long end = q.endMicros();
        // [start, rollupEnd) from the rollup, [rollupEnd, headFrom) from raw samples, [headFrom, end) from the head.
        // TimescaleDB's continuous aggregates are real-time: they answer up to now, but past their
        // watermark from raw samples, which the hot chunk would give only by reading all of its
        // series' rows; so they answer below the head's start, floored to their bucket (a bucket
        // holding the start would add the head's samples of it again).
        long rollupEnd = !rollup ? start
                : timescale ? Math.max(start, Math.min(end, h == null ? end : Math.floorDiv(h.from(), source.bucketMicros) * source.bucketMicros))
                : Math.max(start, Math.min(end, Rollups.watermark(c, source, Long.MIN_VALUE / 2)));
        long headFrom = h == null ? end : Math.max(rollupEnd, Math.min(end, h.from()));
        long width = rollup ? source.bucketMicros : step;
        List<String> parts = new ArrayList<>();
        if (rollup) {
            parts.add("SELECT series_id, bucket, count, sum, min, max, last, bucket AS lt FROM " + source.table
                    + " WHERE series_id = ANY(?) AND bucket >= ? AND bucket < ?");
        }
        if (rollupEnd < headFrom) {
            parts.add("SELECT series_id, date_bin('" + (width / 1_000_000L) + " seconds'::interval, time, " + Rollups.ORIGIN
                    + ") AS bucket, count(*) AS count, sum(value) AS sum, min(value) AS min, max(value) AS max,"
                    + " (array_agg(value ORDER BY time DESC))[1] AS last, max(time) AS lt"
                    + " FROM samples_between(?, ?) WHERE series_id = ANY(?) GROUP BY 1, 2");
        }
        HeadBuckets hb = headFrom < end ? HeadBuckets.of(h, refs, headFrom, end, width) : null;
        if (hb != null) {
            parts.add(HeadBuckets.SQL);
        }
        if (parts.isEmpty()) {
            return;
        }
        String sql = "SELECT series_id, date_bin('" + (step / 1_000_000L) + " seconds'::interval, bucket, " + Rollups.ORIGIN
                + ") AS b, " + q.aggregation().rollup + " FROM (" + String.join(" UNION ALL ", parts)
                + ") r GROUP BY 1, 2 ORDER BY 1, 2";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            Array ids = ids(c, refs);
            int i = 1;
            if (rollup) {
                ps.setArray(i++, ids);
                ps.setTimestamp(i++, Rollups.ts(start));
                ps.setTimestamp(i++, Rollups.ts(rollupEnd));
            }
            if (rollupEnd < headFrom) {
                ps.setTimestamp(i++, Rollups.ts(rollupEnd));
                ps.setTimestamp(i++, Rollups.ts(headFrom));
                ps.setArray(i++, ids);
            }
            if (hb != null) {
                hb.bind(c, ps, i);
            }
            read(ps, out);
        }
    }

    /**
     * Reads {@code (series_id, bucket, value)} rows in binary: PostgreSQL then sends each bucket's
     * time as its 8-byte integer and each value as its 8 bytes, instead of formatting them as text. Epoch
     * microseconds computed in SQL ({@code extract} returns numeric) cost the database 2.1 ms for an
     * hour of one series (3,000 rows), against 0.8 ms for the plain column.
     */
    private static void read(PreparedStatement ps, Map<Integer, Points> out) throws SQLException {
        binary(ps);
        try (ResultSet rs = ps.executeQuery()) {
            Points cur = null;
            int curId = Integer.MIN_VALUE;
            while (rs.next()) {
                int id = rs.getInt(1);
                if (id != curId) {
                    curId = id;
                    cur = out.computeIfAbsent(id, k -> new Points(256));
                }
                double v = rs.getDouble(3);
                if (!rs.wasNull()) {
                    cur.add(Rollups.micros(rs, 2), v);
                }
            }
        }
    }

    private static Map<Integer, SeriesRef> index(List<SeriesRef> refs) {
        Map<Integer, SeriesRef> m = new LinkedHashMap<>();
        for (SeriesRef r : refs) {
            m.put(r.id(), r);
        }
        return m;
    }

    private static Array ids(Connection c, List<SeriesRef> refs) throws SQLException {
        Integer[] ids = new Integer[refs.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = refs.get(i).id();
        }
        return c.createArrayOf("int4", ids);
    }

    private static List<String> strings(PreparedStatement ps) throws SQLException {
        List<String> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    static String json(Map<String, String> tags) {
        StringBuilder sb = new StringBuilder("{");
        for (Map.Entry<String, String> e : tags.entrySet()) {
            if (sb.length() > 1) {
                sb.append(',');
            }
            quote(sb, e.getKey());
            sb.append(':');
            quote(sb, e.getValue());
        }
        return sb.append('}').toString();
    }

    private static void quote(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch == '"' || ch == '\\') {
                sb.append('\\');
            }
            if (ch < 0x20) {
                sb.append(String.format("\\u%04x", (int) ch));
            } else {
                sb.append(ch);
            }
        }
        sb.append('"');
    }
}
