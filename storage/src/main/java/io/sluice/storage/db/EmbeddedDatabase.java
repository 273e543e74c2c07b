package io.sluice.storage.db;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The default database: a PostgreSQL server run by Sluice itself, its data kept under
 * {@code <data_dir>/pg} across restarts, so a first run needs nothing installed.
 */
public final class EmbeddedDatabase implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EmbeddedDatabase.class);

    /** 256 MiB: modest, for a first run on a laptop; raise it to hold the indexes of the days queried. */
    public static final long DEFAULT_SHARED_BUFFERS = 256L << 20;

    private final EmbeddedPostgres pg;
    private final Path dir;

    private EmbeddedDatabase(EmbeddedPostgres pg, Path dir) {
        this.pg = pg;
        this.dir = dir;
    }

    /**
     * Starts (or restarts, on existing data) an embedded PostgreSQL.
     *
     * @param port          0 for any free port
     * @param sharedBuffers PostgreSQL's own buffer cache, in bytes (rounded down to whole kB)
     */
    public static EmbeddedDatabase start(Path dataDir, int port, long sharedBuffers) throws IOException {
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
                .setServerConfig("checkpoint_timeout", "15min");
        if (port > 0) {
            b.setPort(port);
        }
        EmbeddedPostgres pg = b.start();
        log.info("embedded PostgreSQL started [dir={}, port={}, existingData={}, ms={}]",
                dir, pg.getPort(), existing, (System.nanoTime() - t0) / 1_000_000);
        return new EmbeddedDatabase(pg, dir);
    }

    public int port() {
        return pg.getPort();
    }

    public Path directory() {
        return dir;
    }

    public DatabaseUrl url() {
        return new DatabaseUrl("jdbc:postgresql://localhost:" + pg.getPort() + "/postgres", "postgres", null);
    }

    @Override
    public void close() throws IOException {
        pg.close();
        log.info("embedded PostgreSQL stopped [dir={}]", dir);
    }
}
