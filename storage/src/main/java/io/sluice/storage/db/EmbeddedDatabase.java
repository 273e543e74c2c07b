package io.sluice.storage.db;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The default database: a PostgreSQL server run by Sluice itself, its data kept under
 * {@code <data_dir>/pg} across restarts, so a first run needs nothing installed.
 *
 * <p>Its owner stops it with {@link #close()}, last, after the ring has drained into it (README
 * "Shutdown"). The embedding library would register a JVM shutdown hook of its own that stops the
 * server at once, concurrently with Sluice's shutdown, losing whatever was still on its way to the
 * database; it is not registered. In its place a hook of this class stops a server its owner never
 * closed, after waiting {@link #stopAtExitAfter its owner's grace} for that close.
 */
public final class EmbeddedDatabase implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EmbeddedDatabase.class);

    /** 256 MiB: modest, for a first run on a laptop; raise it to hold the indexes of the days queried. */
    public static final long DEFAULT_SHARED_BUFFERS = 256L << 20;

    private final EmbeddedPostgres pg;
    private final Path dir;
    private final CountDownLatch closed = new CountDownLatch(1);
    private final Thread exitHook = new Thread(this::stopIfLeftOpen, "sluice-embedded-pg-exit");
    private volatile Duration exitGrace = Duration.ZERO;

    private EmbeddedDatabase(EmbeddedPostgres pg, Path dir) {
        this.pg = pg;
        this.dir = dir;
    }

    /** The default port: a fixed one, so psql and Grafana find the database; 5432 is left to a system PostgreSQL. */
    public static final int DEFAULT_PORT = 5433;
    /** The user and database Sluice uses; local connections need no password. */
    public static final String USER = "postgres", DATABASE = "postgres";

    /**
     * Starts (or restarts, on existing data) an embedded PostgreSQL. It listens on localhost only
     * and trusts local connections (no password), as the embedding library sets it up.
     *
     * @param port          0 for any free port; a port already taken falls back to a free one, with a warning
     * @param sharedBuffers PostgreSQL's own buffer cache, in bytes (rounded down to whole kB)
     */
    public static EmbeddedDatabase start(Path dataDir, int port, long sharedBuffers) throws IOException {
        if (port > 0 && !free(port)) {
            log.warn("embedded PostgreSQL port taken, using a free port instead (logged below); set"
                    + " embedded_pg_port (SLUICE_EMBEDDED_PG_PORT) to a free one to keep psql and Grafana"
                    + " pointed at a fixed port [port={}]", port);
            port = 0;
        }
        Path dir = dataDir.resolve("pg").toAbsolutePath();
        boolean existing = Files.isDirectory(dir) && Files.exists(dir.resolve("PG_VERSION"));
        Files.createDirectories(dir);
        long t0 = System.nanoTime();
        EmbeddedPostgres.Builder b = EmbeddedPostgres.builder()
                .setDataDirectory(dir)
                .setCleanDataDirectory(false)
                // The embedding library turns these off (its use is throw-away test databases). Here
                // a 2xx answer promises the rows survive a crash, so commits reach the disk.
                .setServerConfig("fsync", "on")
                .setServerConfig("synchronous_commit", "on")
                .setServerConfig("full_page_writes", "on")
                // Sluice batches its own commits; these favour steady ingest on a small machine.
                .setServerConfig("max_connections", "100")
                // Queries over recent days stay fast only while their index pages are in memory;
                // a host may reclaim the kernel's page cache, never these buffers.
                .setServerConfig("shared_buffers", sharedBuffers / 1024 + "kB")
                .setServerConfig("max_wal_size", "2GB")
                .setServerConfig("checkpoint_timeout", "15min")
                // Stopped by close(), after the drain; see the class comment.
                .setRegisterShutdownHook(false);
        if (port > 0) {
            b.setPort(port);
        }
        EmbeddedPostgres pg = b.start();
        log.info("embedded PostgreSQL started [dir={}, port={}, existingData={}, ms={}]",
                dir, pg.getPort(), existing, (System.nanoTime() - t0) / 1_000_000);
        EmbeddedDatabase db = new EmbeddedDatabase(pg, dir);
        Runtime.getRuntime().addShutdownHook(db.exitHook);
        log.info("embedded PostgreSQL: connect with `{}` (Grafana: PostgreSQL data source, host 127.0.0.1:{},"
                + " database {}, user {}, no password, TLS disabled) [host=127.0.0.1, port={}, user={}, database={}]",
                db.psql(), pg.getPort(), DATABASE, USER, pg.getPort(), USER, DATABASE);
        return db;
    }

    /** A ready-to-paste psql command that opens this database. */
    public String psql() {
        return "psql -h 127.0.0.1 -p " + pg.getPort() + " -U " + USER + " " + DATABASE;
    }

    /** Whether nothing listens on the port at 127.0.0.1 (PostgreSQL binds localhost there). */
    static boolean free(int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    public int port() {
        return pg.getPort();
    }

    public Path directory() {
        return dir;
    }

    public DatabaseUrl url() {
        return new DatabaseUrl("jdbc:postgresql://localhost:" + pg.getPort() + "/" + DATABASE, USER, null);
    }

    /**
     * How long, when the JVM exits, this database waits for its owner's {@link #close()} (which
     * comes after the owner's own shutdown) before stopping on its own. Zero (the default) stops it
     * at once: for owners that have no shutdown of their own to wait for.
     */
    public void stopAtExitAfter(Duration grace) {
        exitGrace = grace;
    }

    private void stopIfLeftOpen() {
        try {
            if (closed.await(exitGrace.toMillis(), TimeUnit.MILLISECONDS)) {
                return;
            }
            log.warn("embedded PostgreSQL still open at exit, stopping it [dir={}, waitedMs={}]", dir, exitGrace.toMillis());
            close();
        } catch (IOException | RuntimeException e) {
            log.warn("embedded PostgreSQL did not stop cleanly at exit [dir={}, error={}]", dir, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops the server (a fast shutdown: PostgreSQL's shutdown checkpoint, then exit). Idempotent. */
    @Override
    public synchronized void close() throws IOException {
        if (closed.getCount() == 0) {
            return;
        }
        try {
            pg.close(); // pg_ctl stop -m fast, waiting 5 s; a failure is logged by the library, not thrown
            if (Files.exists(dir.resolve("postmaster.pid"))) {
                log.warn("embedded PostgreSQL did not confirm its stop in time; it finishes on its own [dir={}]", dir);
            } else {
                log.info("embedded PostgreSQL stopped [dir={}]", dir);
            }
        } finally {
            closed.countDown();
            if (Thread.currentThread() != exitHook) {
                try {
                    Runtime.getRuntime().removeShutdownHook(exitHook);
                } catch (IllegalStateException exiting) {
                    // the JVM is exiting: the hook runs and finds the database closed
                }
            }
        }
    }
}
