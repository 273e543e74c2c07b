package io.sluice.bench;

import io.sluice.storage.db.EmbeddedDatabase;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;

/**
 * A PostgreSQL of the harness's own, on a port it names (the embedded binaries the build brings,
 * with fsync on as Sluice runs them): for scenarios that start Sluice processes themselves.
 */
final class BenchDatabase implements AutoCloseable {
    private final Path dir;
    private final int port;
    private EmbeddedDatabase db;

    /** @param dir the database lives in {@code dir/pg} */
    BenchDatabase(Path dir, int port) {
        this.dir = dir;
        this.port = port;
    }

    String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=postgres";
    }

    /** Deletes any earlier data directory, then starts. */
    void fresh() throws IOException {
        deleteTree(dir.resolve("pg"));
        start();
    }

    void start() throws IOException {
        db = EmbeddedDatabase.start(dir, port, 128L << 20);
        if (db.port() != port) {
            // Sluice is pointed at this port: a database elsewhere would look like an outage.
            db.close();
            db = null;
            throw new IOException("PostgreSQL's port " + port + " is taken; choose another with --pg-port");
        }
    }

    /** {@code pg_ctl stop -m fast}: sessions end at once, a commit under way finishes first. */
    void stop() throws IOException {
        if (db != null) {
            db.close();
            db = null;
        }
    }

    @Override
    public void close() throws IOException {
        stop();
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (var walk = Files.walk(p)) {
            for (Path q : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(q);
            }
        }
    }
}
