package io.sluice.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The real processes the chaos scenario breaks: a PostgreSQL of its own (the embedded binaries
 * the build brings; stopping it is {@code pg_ctl stop -m fast}) and Sluice as a child process
 * (stopped with SIGKILL, or SIGTERM at the end so it drains).
 */
final class ChaosProcesses implements AutoCloseable {
    private final Path dir;
    private final Path sluiceJar;
    private final int httpPort;
    private final List<String> settings;
    private final BenchDatabase db;
    private SluiceChild sluice;

    /** @param settings extra {@code KEY=VALUE} environment for Sluice */
    ChaosProcesses(Path dir, Path sluiceJar, int pgPort, int httpPort, List<String> settings) {
        this.dir = dir;
        this.sluiceJar = sluiceJar;
        this.db = new BenchDatabase(dir, pgPort);
        this.httpPort = httpPort;
        this.settings = settings;
    }

    String jdbcUrl() {
        return db.jdbcUrl();
    }

    String sluiceUrl() {
        return "http://127.0.0.1:" + httpPort;
    }

    /** A fresh database directory, started, and a fresh log for Sluice. */
    void freshDatabase() throws IOException {
        Files.deleteIfExists(dir.resolve("sluice.log"));
        db.fresh();
    }

    void startDatabase() throws IOException {
        db.start();
    }

    /** {@code pg_ctl stop -m fast}: sessions end at once, a commit under way finishes first. */
    void stopDatabase() throws IOException {
        db.stop();
    }

    void startSluice() throws IOException, InterruptedException {
        if (sluice == null) {
            Map<String, String> set = new LinkedHashMap<>();
            for (String s : settings) {
                int eq = s.indexOf('=');
                set.put(s.substring(0, eq), s.substring(eq + 1));
            }
            sluice = new SluiceChild(sluiceJar, List.of(), jdbcUrl(), httpPort, dir.resolve("sluice-data"), set,
                    dir.resolve("sluice.log"));
        }
        sluice.start();
    }

    /** SIGKILL: nothing runs on the way out, nothing drains. */
    void killSluice() throws InterruptedException {
        sluice.kill();
    }

    /** SIGTERM: Sluice drains its ring into the database, then exits. */
    void stopSluice() throws InterruptedException {
        if (sluice != null) {
            sluice.stop();
        }
    }

    int sluiceStarts() {
        return sluice == null ? 0 : sluice.starts();
    }

    @Override
    public void close() throws Exception {
        try {
            stopSluice();
        } finally {
            stopDatabase();
        }
    }
}
