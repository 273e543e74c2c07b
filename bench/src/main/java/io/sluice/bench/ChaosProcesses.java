package io.sluice.bench;

import io.sluice.storage.db.EmbeddedDatabase;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The real processes the chaos scenario breaks: a PostgreSQL of its own (the embedded binaries
 * the build brings; stopping it is {@code pg_ctl stop -m fast}) and Sluice as a child process
 * (stopped with SIGKILL, or SIGTERM at the end so it drains).
 */
final class ChaosProcesses implements AutoCloseable {
    private final Path dir;
    private final Path sluiceJar;
    private final int pgPort;
    private final int httpPort;
    private final List<String> settings;
    private EmbeddedDatabase db;
    private Process sluice;
    private int sluiceStarts;

    /** @param settings extra {@code KEY=VALUE} environment for Sluice */
    ChaosProcesses(Path dir, Path sluiceJar, int pgPort, int httpPort, List<String> settings) {
        this.dir = dir;
        this.sluiceJar = sluiceJar;
        this.pgPort = pgPort;
        this.httpPort = httpPort;
        this.settings = settings;
    }

    String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + pgPort + "/postgres?user=postgres";
    }

    String sluiceUrl() {
        return "http://127.0.0.1:" + httpPort;
    }

    /** A fresh database directory, started, and a fresh log for Sluice. */
    void freshDatabase() throws IOException {
        deleteTree(dir.resolve("pg"));
        Files.deleteIfExists(dir.resolve("sluice.log"));
        startDatabase();
    }

    void startDatabase() throws IOException {
        db = EmbeddedDatabase.start(dir, pgPort, 128L << 20);
        if (db.port() != pgPort) {
            // Sluice is pointed at pgPort: a database elsewhere would look like an outage.
            db.close();
            db = null;
            throw new IOException("PostgreSQL's port " + pgPort + " is taken; choose another with --pg-port");
        }
    }

    /** {@code pg_ctl stop -m fast}: sessions end at once, a commit under way finishes first. */
    void stopDatabase() throws IOException {
        if (db != null) {
            db.close();
            db = null;
        }
    }

    void startSluice() throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx1g", "-jar", sluiceJar.toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("sluice.log").toFile()));
        pb.environment().put("SLUICE_DATABASE_URL", jdbcUrl());
        pb.environment().put("SLUICE_HTTP_PORT", Integer.toString(httpPort));
        pb.environment().put("SLUICE_UDP_LINE_PORT", "0");
        pb.environment().put("SLUICE_UDP_JSON_PORT", "0");
        pb.environment().put("SLUICE_STATSD_PORT", "0");
        pb.environment().put("SLUICE_DATA_DIR", dir.resolve("sluice-data").toString());
        for (String s : settings) {
            int eq = s.indexOf('=');
            pb.environment().put("SLUICE_" + s.substring(0, eq).toUpperCase(), s.substring(eq + 1));
        }
        sluice = pb.start();
        sluiceStarts++;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!listening()) {
            if (!sluice.isAlive()) {
                throw new IOException("Sluice exited with " + sluice.exitValue() + "; see " + dir.resolve("sluice.log"));
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("Sluice did not listen on " + httpPort + " within 120 s");
            }
            Thread.sleep(100);
        }
    }

    /** SIGKILL: nothing runs on the way out, nothing drains. */
    void killSluice() throws InterruptedException {
        sluice.destroyForcibly();
        sluice.waitFor();
    }

    /** SIGTERM: Sluice drains its ring into the database, then exits. */
    void stopSluice() throws InterruptedException {
        if (sluice != null && sluice.isAlive()) {
            sluice.destroy();
            if (!sluice.waitFor(120, TimeUnit.SECONDS)) {
                sluice.destroyForcibly().waitFor();
            }
        }
    }

    int sluiceStarts() {
        return sluiceStarts;
    }

    private boolean listening() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", httpPort), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() throws Exception {
        try {
            stopSluice();
        } finally {
            stopDatabase();
        }
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (var walk = Files.walk(p)) {
            for (Path q : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(q);
            }
        }
    }
}
