package io.sluice.storage.db;

import io.sluice.storage.log.ErrorIds;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Whether the database answers, from the latest outcome anyone reported: each writer's commit or
 * lost connection, and a probe that runs {@code SELECT 1} every {@value #PROBE_MS} ms on a
 * connection of its own. Health endpoints answer from it without waiting on PostgreSQL.
 *
 * <p>Not through the pool: with the database gone, the pool's {@code getConnection} waits its
 * whole connection timeout (5 s) before failing, which is why readiness used to lag by seconds.
 * The probe's connection fails at once when the server stops, and its socket timeout is one
 * second; a probe that has not answered for {@value #STALE_MS} ms counts as down too.
 *
 * <p>An outage gets an error id, logged once with the cause when it begins; answers that report
 * the outage name the id instead of the database's text (README "Operations").
 */
public final class DatabaseHealth implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DatabaseHealth.class);
    static final long PROBE_MS = 250;
    static final long STALE_MS = 1_000;

    /** The current outage: its id (in the log line that began it) and since when. */
    public record Outage(String errorId, Instant since) {
    }

    private final DatabaseUrl url;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "sluice-db-health");
        t.setDaemon(true);
        return t;
    });
    private volatile long lastSuccessNanos = System.nanoTime();
    private volatile long lastFailureNanos = lastSuccessNanos - 1;
    private volatile Outage outage;
    private volatile boolean closed;
    private volatile String halted;
    /** The probe's own connection; only the timer thread touches it. */
    private Connection probe;

    public DatabaseHealth(DatabaseUrl url) {
        this.url = url;
    }

    public void start() {
        timer.scheduleWithFixedDelay(this::probe, PROBE_MS, PROBE_MS, TimeUnit.MILLISECONDS);
    }

    /** The database answered (a commit, a probe). */
    public void succeeded() {
        lastSuccessNanos = System.nanoTime();
        if (outage != null) {
            ended();
        }
    }

    /** The database could not be reached; callers report connection failures only, not refusals. */
    public void failed(Throwable cause) {
        if (closed) {
            return; // a connection cut by shutdown says nothing about the database
        }
        lastFailureNanos = System.nanoTime();
        if (outage == null) {
            began(cause);
        }
    }

    /**
     * Writes can no longer be acknowledged for a cause of Sluice's own ({@code reason}): readiness
     * stays down until a restart, and says why.
     */
    public void halted(String reason) {
        if (halted == null) {
            halted = reason;
            log.error("writes halted until a restart [reason={}]", reason);
        }
    }

    /** Why writes are halted, or null. */
    public String halted() {
        return halted;
    }

    public boolean up() {
        if (halted != null) {
            return false;
        }
        long success = lastSuccessNanos;
        return success - lastFailureNanos > 0 && System.nanoTime() - success < STALE_MS * 1_000_000L;
    }

    /** The outage under way, or null (also when the probe is merely late). */
    public Outage outage() {
        return outage;
    }

    private synchronized void began(Throwable cause) {
        if (outage == null && lastFailureNanos - lastSuccessNanos > 0) {
            outage = new Outage(ErrorIds.next(), Instant.now());
            log.warn("database unreachable [errorId={}, error={}]", outage.errorId(), cause.toString());
        }
    }

    private synchronized void ended() {
        Outage o = outage;
        if (o != null && lastSuccessNanos - lastFailureNanos > 0) {
            outage = null;
            log.info("database reachable again [errorId={}, downMs={}]", o.errorId(),
                    Instant.now().toEpochMilli() - o.since().toEpochMilli());
        }
    }

    private void probe() {
        try {
            if (probe == null) {
                probe = connect();
            }
            try (Statement st = probe.createStatement()) {
                st.execute("SELECT 1");
            }
            succeeded();
        } catch (SQLException | RuntimeException e) {
            closeProbe();
            failed(e);
        }
    }

    private Connection connect() throws SQLException {
        Properties p = new Properties();
        if (url.user() != null) {
            p.setProperty("user", url.user());
        }
        if (url.password() != null) {
            p.setProperty("password", url.password());
        }
        // pgjdbc's timeouts are in seconds; one is the least.
        p.setProperty("connectTimeout", "1");
        p.setProperty("socketTimeout", "1");
        p.setProperty("loginTimeout", "2");
        p.setProperty("ApplicationName", "sluice-health");
        return DriverManager.getConnection(url.jdbcUrl(), p);
    }

    private void closeProbe() {
        if (probe != null) {
            try {
                probe.close();
            } catch (SQLException ignored) {
                // it is already broken
            }
            probe = null;
        }
    }

    /** Stops probing (before the pool closes, so shutdown is not reported as an outage). */
    @Override
    public void close() {
        closed = true;
        timer.shutdownNow();
        try {
            timer.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closeProbe();
    }
}
