package io.sluice.storage.db;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

/**
 * TimescaleDB's compression and retention, as policies (issue 3): raw chunks older than
 * {@code compressAfter} are compressed, segmented by series; raw data and 1-minute rollups are
 * dropped past their retention; 1h and 1d rollups are kept. Re-applied at every start so a
 * changed setting takes effect.
 */
public final class TimescalePolicies {
    private static final Logger log = LoggerFactory.getLogger(TimescalePolicies.class);

    private TimescalePolicies() {
    }

    public static void apply(Connection c, Duration compressAfter, Duration retentionRaw, Duration retention1m)
            throws SQLException {
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
            st.execute("SELECT remove_compression_policy('samples', if_exists => true)");
            st.execute("SELECT add_compression_policy('samples', " + interval(compressAfter) + ")");
            st.execute("SELECT remove_retention_policy('samples', if_exists => true)");
            st.execute("SELECT add_retention_policy('samples', " + interval(retentionRaw) + ")");
            st.execute("SELECT remove_retention_policy('samples_1m', if_exists => true)");
            st.execute("SELECT add_retention_policy('samples_1m', " + interval(retention1m) + ")");
            log.info("TimescaleDB policies applied [compressAfter={}, retentionRaw={}, retention1m={}]",
                    compressAfter, retentionRaw, retention1m);
        } finally {
            c.setAutoCommit(auto);
        }
    }

    private static String interval(Duration d) {
        return "INTERVAL '" + d.toSeconds() + " seconds'";
    }
}
