package io.sluice.server;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.Statement;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Whether the database answers, probed every two seconds off the event loops, so health
 * endpoints answer from a flag and never wait on PostgreSQL.
 */
public final class Readiness implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Readiness.class);

    private final DataSource db;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "sluice-readiness");
        t.setDaemon(true);
        return t;
    });
    private volatile boolean up = true;
    private volatile String lastError = "";

    public Readiness(DataSource db) {
        this.db = db;
    }

    public void start() {
        timer.scheduleWithFixedDelay(this::probe, 2, 2, TimeUnit.SECONDS);
    }

    private void probe() {
        try (Connection c = db.getConnection(); Statement st = c.createStatement()) {
            st.setQueryTimeout(2);
            st.execute("SELECT 1");
            if (!up) {
                log.info("database reachable again");
            }
            up = true;
        } catch (Exception e) {
            if (up && !timer.isShutdown()) { // a probe cut short by close() says nothing about the database
                log.warn("database unreachable [error={}]", e.toString());
            }
            lastError = e.getMessage();
            up = false;
        }
    }

    public boolean databaseUp() {
        return up;
    }

    public String lastError() {
        return lastError;
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
