package io.sluice.storage;

import io.sluice.storage.db.DatabaseUrl;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real PostgreSQL for tests: one embedded server per test JVM, a fresh database per caller, so
 * tests do not see each other's rows. Set {@code SLUICE_TEST_TIMESCALE_URL} to a server with the
 * timescaledb extension to run the TimescaleDB variants.
 */
public final class TestDatabase {
    private static EmbeddedPostgres server;
    private static final AtomicInteger counter = new AtomicInteger();

    private TestDatabase() {
    }

    public static synchronized EmbeddedPostgres server() {
        if (server == null) {
            try {
                server = EmbeddedPostgres.builder().setServerConfig("max_connections", "300").start();
            } catch (IOException e) {
                throw new UncheckedIOException("embedded PostgreSQL did not start", e);
            }
            EmbeddedPostgres s = server;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // the JVM is exiting
                }
            }));
        }
        return server;
    }

    /** A new, empty database on the shared server. */
    public static DatabaseUrl fresh(String prefix) {
        String name = prefix.toLowerCase().replaceAll("[^a-z0-9_]", "_") + "_" + counter.incrementAndGet()
                + "_" + ProcessHandle.current().pid();
        int port = server().getPort();
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://localhost:" + port + "/postgres", "postgres", null);
             Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create test database " + name, e);
        }
        return new DatabaseUrl("jdbc:postgresql://localhost:" + port + "/" + name, "postgres", null);
    }

    /**
     * A PostgreSQL server of the test's own on {@code port}, its data in {@code dataDir} kept across
     * restarts, committing to disk as Sluice's embedded one does; {@code close()} is a fast stop.
     */
    public static EmbeddedPostgres.Builder ownServer(java.nio.file.Path dataDir, int port) {
        return EmbeddedPostgres.builder()
                .setDataDirectory(dataDir)
                .setCleanDataDirectory(false)
                .setPort(port)
                .setServerConfig("fsync", "on")
                .setServerConfig("synchronous_commit", "on");
    }

    /** A server with TimescaleDB, or null (tests using it are skipped and say why). */
    public static String timescaleUrl() {
        String url = System.getenv("SLUICE_TEST_TIMESCALE_URL");
        return url == null || url.isBlank() ? null : url;
    }

    /**
     * A new database on the TimescaleDB server of {@code SLUICE_TEST_TIMESCALE_URL}; without one
     * the calling test is skipped, saying why.
     */
    public static DatabaseUrl freshTimescale() throws SQLException {
        String server = timescaleUrl();
        org.junit.jupiter.api.Assumptions.assumeTrue(server != null, "SLUICE_TEST_TIMESCALE_URL is not set: no PostgreSQL"
                + " with the timescaledb extension on this machine (Debian does not package it; see README, TimescaleDB)");
        String name = "sluice_ts_" + System.nanoTime();
        try (Connection c = DriverManager.getConnection(server); Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE " + name);
        }
        return new DatabaseUrl(server.replaceFirst("/[^/?]+(\\?|$)", "/" + name + "$1"), null, null);
    }

    /**
     * Drops a database {@link #freshTimescale} made: each one left behind keeps a TimescaleDB
     * scheduler, and once they exceed {@code timescaledb.max_background_workers} no policy of any
     * database on the server runs.
     */
    public static void dropTimescale(DatabaseUrl url) throws SQLException {
        String name = url.jdbcUrl().replaceFirst("^.*/([^/?]+)(\\?.*)?$", "$1");
        try (Connection c = DriverManager.getConnection(timescaleUrl()); Statement st = c.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
        }
    }

    /** Storage settings for tests: small ring, no linger, quick retries. */
    public static StorageConfig storageConfig(DatabaseUrl url, int writers, int batchSize) {
        return new StorageConfig(url, new io.sluice.storage.writer.WriterConfig(writers, batchSize, 0, 200, false), 256,
                10_000, "1 day", 2, true, java.time.Duration.ofSeconds(10), 2, java.time.Duration.ofDays(30),
                java.time.Duration.ofDays(90));
    }

    /** {@link #storageConfig} with the given hot tier (no TimescaleDB). */
    public static StorageConfig hotTierConfig(DatabaseUrl url, int writers, int batchSize, HotTierConfig hot) {
        StorageConfig base = storageConfig(url, writers, batchSize);
        return new StorageConfig(base.database(), base.writer(), base.ringSize(), base.maxSeries(), base.chunkInterval(),
                base.partitionsAhead(), false, base.shutdownTimeout(), base.extraConnections(), base.retentionRaw(),
                base.retention1m(), hot);
    }

    public static Connection connect(DatabaseUrl url) throws SQLException {
        return DriverManager.getConnection(url.jdbcUrl(), url.user(), url.password());
    }

    /** The table writers COPY into on plain PostgreSQL: a row per series per request (README, "Hot tier and head"). */
    public static final String BLOCKS = "samples_blocks";

    /**
     * From now on the database refuses a negative value written to {@code samples} as PostgreSQL
     * refuses a value out of range (SQLSTATE 22003, class 22): in a block the writers COPY, and in
     * a row of any partition, present and future. No input Sluice's parsers let through reaches
     * such an error by itself.
     */
    public static void refuseNegativeValues(DatabaseUrl url) throws SQLException {
        try (Connection c = connect(url); Statement st = c.createStatement()) {
            st.execute("CREATE FUNCTION refuse_negative() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
                    + " RAISE EXCEPTION 'negative value refused for the test' USING ERRCODE = 'numeric_value_out_of_range';"
                    + " END $$");
            st.execute("CREATE TRIGGER refuse_negative BEFORE INSERT ON " + BLOCKS + " FOR EACH ROW WHEN (0 > ANY (NEW.vals))"
                    + " EXECUTE FUNCTION refuse_negative()");
            st.execute("CREATE TRIGGER refuse_negative BEFORE INSERT ON samples_rows FOR EACH ROW WHEN (NEW.value < 0)"
                    + " EXECUTE FUNCTION refuse_negative()");
        }
    }

    /**
     * From now on the database refuses a block of {@code samples} holding {@code value}, but
     * only at COMMIT: a DEFERRABLE INITIALLY DEFERRED constraint trigger raising SQLSTATE 23514
     * (check_violation), so the COPY succeeds and the error names no row of it.
     */
    public static void refuseAtCommit(DatabaseUrl url, double value) throws SQLException {
        try (Connection c = connect(url); Statement st = c.createStatement()) {
            st.execute("CREATE FUNCTION refuse_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
                    + " IF " + value + " = ANY (NEW.vals) THEN RAISE EXCEPTION 'value " + value + " refused at commit for the test'"
                    + " USING ERRCODE = 'check_violation'; END IF; RETURN NULL; END $$");
            st.execute("CREATE CONSTRAINT TRIGGER refuse_at_commit AFTER INSERT ON " + BLOCKS + " DEFERRABLE INITIALLY DEFERRED"
                    + " FOR EACH ROW EXECUTE FUNCTION refuse_at_commit()");
        }
    }

    public static long count(DatabaseUrl url, String sql) throws SQLException {
        try (Connection c = connect(url); Statement st = c.createStatement(); var rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
