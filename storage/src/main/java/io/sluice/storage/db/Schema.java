package io.sluice.storage.db;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;

/**
 * Applies the SQL under {@code schema/} once per step, recorded in {@code sluice_schema}, and
 * decides between plain PostgreSQL and TimescaleDB.
 */
public final class Schema {
    private static final Logger log = LoggerFactory.getLogger(Schema.class);

    /** Steps in order; a file {@code schema/<step>[.<flavor>].sql} each. Append only. */
    public static final List<String> STEPS = List.of("001_series", "002_samples", "003_metrics_view", "004_rollups", "005_dropin",
            "006_covering_index", "007_write_batches", "008_rollup_invalidations", "009_hot_tier", "010_blocks",
            "011_hot_chunks", "013_blocks_vacuum", "014_blocks_micros", "015_journal", "016_journal_marks",
            "017_blocks_series_index");

    /** Arbitrary constant for pg_advisory_lock: nodes starting together apply steps one at a time. */
    private static final long LOCK_KEY = 0x51_75_69_63_65_00_00_01L;

    public enum Flavor {
        POSTGRES("postgres"), TIMESCALE("timescale");

        final String suffix;

        Flavor(String suffix) {
            this.suffix = suffix;
        }
    }

    private Schema() {
    }

    /**
     * Brings the schema up to date and returns the flavour in use. A database already set up keeps
     * its flavour; a new one gets TimescaleDB when the extension is available.
     *
     * @param chunkInterval a PostgreSQL interval literal, e.g. {@code 1 day}
     */
    public static Flavor apply(Connection c, String chunkInterval, boolean allowTimescale) throws SQLException {
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(true);
        try (Statement st = c.createStatement()) {
            st.execute("SELECT pg_advisory_lock(" + LOCK_KEY + ")");
            try {
                st.execute("CREATE TABLE IF NOT EXISTS sluice_schema (step text PRIMARY KEY, flavor text NOT NULL,"
                        + " applied_at timestamptz NOT NULL DEFAULT now())");
                Flavor flavor = existingFlavor(c);
                if (flavor == null) {
                    flavor = allowTimescale && timescaleUsable(c) ? Flavor.TIMESCALE : Flavor.POSTGRES;
                }
                if (flavor == Flavor.TIMESCALE) {
                    st.execute("CREATE EXTENSION IF NOT EXISTS timescaledb");
                }
                int applied = 0;
                for (String step : STEPS) {
                    if (isApplied(c, step)) {
                        continue;
                    }
                    String sql = load(step, flavor).replace("${chunk_interval}", chunkInterval);
                    c.setAutoCommit(false);
                    try (Statement s2 = c.createStatement()) {
                        s2.execute(sql);
                        try (PreparedStatement ps = c.prepareStatement(
                                "INSERT INTO sluice_schema (step, flavor) VALUES (?, ?)")) {
                            ps.setString(1, step);
                            ps.setString(2, flavor.suffix);
                            ps.executeUpdate();
                        }
                        c.commit();
                    } catch (SQLException e) {
                        c.rollback();
                        throw new SQLException("schema step " + step + " (" + flavor.suffix + ") failed: "
                                + e.getMessage(), e.getSQLState(), e);
                    } finally {
                        c.setAutoCommit(true);
                    }
                    applied++;
                }
                log.info("schema ready [flavor={}, stepsApplied={}, steps={}]", flavor.suffix, applied, STEPS.size());
                return flavor;
            } finally {
                st.execute("SELECT pg_advisory_unlock(" + LOCK_KEY + ")");
            }
        } finally {
            c.setAutoCommit(auto);
        }
    }

    /**
     * Whether the server can create the extension: installed and preloaded. Decided from the
     * catalogue rather than by trying CREATE EXTENSION, which fails FATAL when the library is not
     * preloaded ({@link TimescaleProbe}).
     */
    static boolean timescaleUsable(Connection c) throws SQLException {
        TimescaleProbe probe = TimescaleProbe.read(c);
        if (probe.verdict() == TimescaleProbe.Verdict.NOT_PRELOADED) {
            log.warn("TimescaleDB is installed on the server but its library is not preloaded: using plain PostgreSQL"
                    + " tables. To use TimescaleDB, add timescaledb to shared_preload_libraries in postgresql.conf,"
                    + " restart PostgreSQL, and point Sluice at a new database (a database keeps the flavour it was"
                    + " created with) [sharedPreloadLibraries={}]",
                    probe.preload() == null ? "(not readable by this role)" : "'" + probe.preload() + "'");
        }
        return probe.verdict() == TimescaleProbe.Verdict.USE;
    }

    private static Flavor existingFlavor(Connection c) throws SQLException {
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT flavor FROM sluice_schema WHERE step = '002_samples'")) {
            if (rs.next()) {
                return Map.of("postgres", Flavor.POSTGRES, "timescale", Flavor.TIMESCALE).get(rs.getString(1));
            }
            return null;
        }
    }

    private static boolean isApplied(Connection c, String step) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM sluice_schema WHERE step = ?")) {
            ps.setString(1, step);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    static String load(String step, Flavor flavor) {
        String specific = read("schema/" + step + "." + flavor.suffix + ".sql");
        if (specific != null) {
            return specific;
        }
        String common = read("schema/" + step + ".sql");
        if (common == null) {
            throw new IllegalStateException("schema file for step " + step + " is missing from the classpath");
        }
        return common;
    }

    private static String read(String resource) {
        try (InputStream in = Schema.class.getClassLoader().getResourceAsStream(resource)) {
            return in == null ? null : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + resource, e);
        }
    }
}
