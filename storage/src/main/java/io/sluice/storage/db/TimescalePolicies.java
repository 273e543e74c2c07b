package io.sluice.storage.db;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

/**
 * TimescaleDB's compression and retention, as policies: raw chunks older than
 * {@code compressAfter} are compressed, segmented by series; raw data and 1-minute rollups are
 * dropped past their retention; 1h and 1d rollups are kept; the continuous aggregates refresh
 * whatever was written within raw retention. Re-applied at every start so a changed setting
 * takes effect.
 */
public final class TimescalePolicies {
    private static final Logger log = LoggerFactory.getLogger(TimescalePolicies.class);

    private TimescalePolicies() {
    }

    /**
     * @param chunkInterval the time chunks made from now on cover, a PostgreSQL interval literal: a
     *                      chunk is hot (no index, answered by the head) until its time is over
     */
    public static void apply(Connection c, String chunkInterval, Duration compressAfter, Duration retentionRaw,
                             Duration retention1m) throws SQLException {
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(true);
        try (Statement st = c.createStatement()) {
            boolean enabled;
            try (ResultSet rs = st.executeQuery("SELECT compression_enabled FROM timescaledb_information.hypertables"
                    + " WHERE hypertable_name = 'samples'")) {
                enabled = rs.next() && rs.getBoolean(1);
            }
            if (!enabled) {
                // Segment by series: a query for one series decompresses only its own segments.
                st.execute("ALTER TABLE samples SET (timescaledb.compress, timescaledb.compress_segmentby = 'series_id',"
                        + " timescaledb.compress_orderby = 'time DESC')");
            }
            // Applied at every start: a changed chunk_interval (or the default of a database made
            // before the hot tier) takes effect from the next chunk on.
            st.execute("SELECT set_chunk_time_interval('samples', INTERVAL '" + chunkInterval + "')");
            st.execute("SELECT remove_compression_policy('samples', if_exists => true)");
            st.execute("SELECT add_compression_policy('samples', " + interval(compressAfter) + ")");
            st.execute("SELECT remove_retention_policy('samples', if_exists => true)");
            st.execute("SELECT add_retention_policy('samples', " + interval(retentionRaw) + ")");
            st.execute("SELECT remove_retention_policy('samples_1m', if_exists => true)");
            st.execute("SELECT add_retention_policy('samples_1m', " + interval(retention1m) + ")");
            refreshWindows(st, retentionRaw, retention1m);
            log.info("TimescaleDB policies applied [chunkInterval={}, compressAfter={}, retentionRaw={}, retention1m={},"
                    + " rollupRefreshWindow={}]", chunkInterval, compressAfter, retentionRaw, retention1m, retentionRaw);
        } finally {
            c.setAutoCommit(auto);
        }
    }

    /**
     * The continuous aggregates' refresh windows reach back as far as raw samples are accepted
     *. TimescaleDB logs every late or backfilled write as an invalidation, but
     * a policy only re-materialises invalidations inside its window, and real-time aggregation
     * covers only what is past the watermark: with the first windows (1 hour, 1 day, 7 days) a
     * backfill of a few days was never in the rollups. A refresh costs what is invalidated, not
     * the width of the window. Each window ends where the data below it is dropped, never past
     * it: a refresh over dropped raw data deletes the aggregate's buckets there (TimescaleDB,
     * "Data retention with continuous aggregates"); 1h reads 1m, which is kept
     * {@code retention_1m}; 1d reads 1h, kept for ever.
     */
    private static void refreshWindows(Statement st, Duration retentionRaw, Duration retention1m) throws SQLException {
        Duration m1 = retentionRaw;
        Duration h1 = retentionRaw.compareTo(retention1m) < 0 ? retentionRaw : retention1m;
        Duration d1 = retentionRaw.plusDays(1);
        policy(st, "samples_1m", m1, "1 minute", "1 minute");
        policy(st, "samples_1h", h1, "1 hour", "1 hour");
        policy(st, "samples_1d", d1, "1 day", "1 day");
    }

    private static void policy(Statement st, String view, Duration start, String end, String every) throws SQLException {
        st.execute("SELECT remove_continuous_aggregate_policy('" + view + "', if_exists => true)");
        st.execute("SELECT add_continuous_aggregate_policy('" + view + "', start_offset => " + interval(start)
                + ", end_offset => INTERVAL '" + end + "', schedule_interval => INTERVAL '" + every + "')");
    }

    private static String interval(Duration d) {
        return "INTERVAL '" + d.toSeconds() + " seconds'";
    }
}
