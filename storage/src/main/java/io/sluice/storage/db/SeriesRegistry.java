package io.sluice.storage.db;

import io.sluice.codec.SeriesKey;
import io.sluice.storage.util.IntMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Series ids, cached in memory. Event loops only read the cache ({@link #idOf}) and, on a miss,
 * register the key as pending ({@link #pending}); writers resolve pending keys against the
 * database in their own transaction ({@link #resolve}), so no event loop waits on PostgreSQL.
 *
 * <p>The number of series this node knows (cached plus pending) is bounded by {@code maxSeries}:
 * past it, new series are refused, which protects the database from a cardinality explosion.
 */
public final class SeriesRegistry {
    private static final Logger log = LoggerFactory.getLogger(SeriesRegistry.class);

    public static final int UNKNOWN = -1;

    private final Map<SeriesKey, Integer> ids = new ConcurrentHashMap<>();
    private final Map<SeriesKey, SeriesKey> pending = new ConcurrentHashMap<>();
    /**
     * Reverse of {@link #ids}, for consumers that see ids and need names (the live fan-out, for
     * every sample): an int map, so a lookup boxes nothing.
     */
    private final IntMap<SeriesKey> keys = new IntMap<>();
    private final AtomicInteger known = new AtomicInteger();
    private final int maxSeries;

    public SeriesRegistry(int maxSeries) {
        if (maxSeries < 1) {
            throw new IllegalArgumentException("maxSeries must be at least 1, was " + maxSeries);
        }
        this.maxSeries = maxSeries;
    }

    /** The cached id of a series, or {@link #UNKNOWN}. Allocation-free for a mutable key. */
    public int idOf(SeriesKey key) {
        Integer id = ids.get(key);
        return id == null ? UNKNOWN : id;
    }

    /**
     * The frozen key to publish for a series with no cached id, registered as pending, or null
     * when the node already knows {@code maxSeries} series.
     */
    public SeriesKey pending(SeriesKey key) {
        SeriesKey p = pending.get(key);
        if (p != null) {
            return p;
        }
        if (known.get() >= maxSeries) {
            return null;
        }
        SeriesKey frozen = key.frozen();
        SeriesKey prior = pending.putIfAbsent(frozen, frozen);
        if (prior != null) {
            return prior;
        }
        known.incrementAndGet();
        return frozen;
    }

    /** The key of a cached id, or null. */
    public SeriesKey keyOf(int id) {
        return keys.get(id);
    }

    public int size() {
        return ids.size();
    }

    public int pendingCount() {
        return pending.size();
    }

    public int maxSeries() {
        return maxSeries;
    }

    /** Loads every series of the database into the cache (up to the limit). */
    public void load(Connection c) throws SQLException {
        long t0 = System.nanoTime();
        int loaded = 0;
        try (Statement st = c.createStatement()) {
            st.setFetchSize(10_000);
            try (ResultSet rs = st.executeQuery("SELECT s.id, s.metric, e.key, e.value FROM series s"
                    + " LEFT JOIN LATERAL jsonb_each_text(s.tags) e ON true ORDER BY s.id")) {
                int currentId = Integer.MIN_VALUE;
                SeriesKey key = new SeriesKey();
                while (rs.next()) {
                    int id = rs.getInt(1);
                    if (id != currentId) {
                        if (currentId != Integer.MIN_VALUE && !put(key, currentId)) {
                            break;
                        }
                        currentId = id;
                        key.reset().metric(rs.getString(2));
                        loaded++;
                    }
                    String k = rs.getString(3);
                    if (k != null) {
                        key.tag(k, rs.getString(4));
                    }
                }
                if (currentId != Integer.MIN_VALUE) {
                    put(key, currentId);
                }
            }
        }
        log.info("series cache loaded [series={}, limit={}, ms={}]", ids.size(), maxSeries,
                (System.nanoTime() - t0) / 1_000_000);
        if (loaded > maxSeries) {
            log.warn("the database holds more series than max_series; new series will be refused"
                    + " [max_series={}]", maxSeries);
        }
    }

    private boolean put(SeriesKey key, int id) {
        if (known.get() >= maxSeries) {
            return false;
        }
        SeriesKey frozen = key.frozen();
        if (ids.putIfAbsent(frozen, id) == null) {
            keys.putIfAbsent(id, frozen);
            known.incrementAndGet();
        }
        return true;
    }

    /**
     * Gives ids to pending keys: inserts the new ones, reads the ids of all, caches them. Runs on
     * a writer's connection inside the caller's transaction; the caller commits.
     *
     * <p>Keys are inserted in their canonical order ({@link SeriesKey#compareTo}), whatever the
     * order given: two writers (or nodes) inserting overlapping new series each wait on the
     * other's uncommitted rows, and in opposite orders that wait is a cycle, a deadlock
     * PostgreSQL breaks only after {@code deadlock_timeout}. In one order
     * a writer waits at most for the other's commit.
     *
     * @param keys distinct frozen keys
     * @return ids in the order of {@code keys}
     */
    public int[] resolve(Connection c, List<SeriesKey> keys) throws SQLException {
        int n = keys.size();
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (x, y) -> keys.get(x).compareTo(keys.get(y)));
        int[] out = new int[n];
        String[] metrics = new String[n];
        String[] tags = new String[n];
        for (int i = 0; i < n; i++) {
            SeriesKey k = keys.get(order[i]);
            Integer cached = ids.get(k);
            out[order[i]] = cached == null ? UNKNOWN : cached;
            metrics[i] = k.metricString();
            tags[i] = TagsJson.encode(k.tags());
        }
        // The insert's own rows come back through RETURNING; rows another writer committed
        // before this statement come from the join. A row committed by another node during the
        // statement is seen by neither, so such keys are looked up again. ORDER BY ord keeps the
        // insert in the sorted order of the arrays.
        String sql = "WITH input AS (SELECT m, t::jsonb AS t, ord FROM unnest(?::text[], ?::text[])"
                + " WITH ORDINALITY AS u(m, t, ord)),"
                + " ins AS (INSERT INTO series (metric, tags) SELECT m, t FROM input ORDER BY ord"
                + " ON CONFLICT (metric, tags) DO NOTHING RETURNING id, metric, tags)"
                + " SELECT input.ord, COALESCE(ins.id, s.id) FROM input"
                + " LEFT JOIN ins ON ins.metric = input.m AND ins.tags = input.t"
                + " LEFT JOIN series s ON s.metric = input.m AND s.tags = input.t";
        for (int attempt = 0; attempt < 5; attempt++) {
            Array ma = c.createArrayOf("text", metrics);
            Array ta = c.createArrayOf("text", tags);
            int missing = 0;
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setArray(1, ma);
                ps.setArray(2, ta);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        int i = order[rs.getInt(1) - 1];
                        int id = rs.getInt(2);
                        out[i] = rs.wasNull() ? UNKNOWN : id;
                    }
                }
            }
            for (int v : out) {
                if (v == UNKNOWN) {
                    missing++;
                }
            }
            if (missing == 0) {
                break;
            }
        }
        return out;
    }

    /** Records ids resolved by {@link #resolve} once the caller's transaction committed. */
    public void cache(List<SeriesKey> keys, int[] resolved) {
        for (int i = 0; i < keys.size(); i++) {
            SeriesKey k = keys.get(i);
            if (resolved[i] == UNKNOWN) {
                continue;
            }
            boolean added = ids.putIfAbsent(k, resolved[i]) == null;
            if (added) {
                this.keys.putIfAbsent(resolved[i], k);
            }
            boolean wasPending = pending.remove(k) != null;
            // Each series is counted once: when it became pending, or when it was cached.
            if (added && !wasPending) {
                known.incrementAndGet();
            } else if (!added && wasPending) {
                known.decrementAndGet();
            }
        }
    }
}
