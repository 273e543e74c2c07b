package io.sluice.storage.writer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A batch whose COMMIT went unanswered and whose writer gave up before it could learn how it
 * ended: it is stored whole or not at all. Its requests failed, but whoever holds one of them
 * (an {@code Idempotency-Key}, README "What an answer guarantees") can still learn the truth from
 * the batch's number in {@code sluice_write_batches}: the writer looks it up in the transaction
 * that records its next batch, before that number can overwrite it, and {@link #outcome()} looks
 * it up when asked first.
 */
public final class UnknownCommit {
    private static final Logger log = LoggerFactory.getLogger(UnknownCommit.class);
    private static final int UNKNOWN = 0;
    private static final int COMMITTED = 1;
    private static final int ROLLED_BACK = 2;
    /**
     * Look-ups are rare (a resend after a 500) and quick once the database answers; one thread,
     * started on demand, keeps them from waiting on a pool's connection timeout on an event loop.
     */
    private static final ThreadPoolExecutor LOOKUPS = new ThreadPoolExecutor(1, 1, 30, TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(1024), r -> {
                Thread t = new Thread(r, "sluice-commit-lookup");
                t.setDaemon(true);
                return t;
            });

    static {
        LOOKUPS.allowCoreThreadTimeOut(true);
    }

    private final CommittedBatches batches;
    private final DataSource pool;
    private final int writer;
    private final long batch;
    private final AtomicInteger state = new AtomicInteger(UNKNOWN);

    UnknownCommit(CommittedBatches batches, DataSource pool, int writer, long batch) {
        this.batches = batches;
        this.pool = pool;
        this.writer = writer;
        this.batch = batch;
    }

    /** Whether it is known how the batch ended. */
    public boolean known() {
        return state.get() != UNKNOWN;
    }

    /** Whether the batch committed; meaningful once {@link #known()}. */
    public boolean committed() {
        return state.get() == COMMITTED;
    }

    /**
     * How the batch ended: true if it committed. Completes at once when known, otherwise after
     * one look-up in the database (off the caller's thread); fails with the database's error
     * when it cannot be asked (the batch stays unknown).
     */
    public CompletableFuture<Boolean> outcome() {
        if (known()) {
            return CompletableFuture.completedFuture(committed());
        }
        return CompletableFuture.supplyAsync(() -> {
            if (known()) {
                return committed();
            }
            try (Connection c = pool.getConnection()) {
                c.setAutoCommit(false);
                try {
                    // Under the row's lock: the writer records a later number only after it has learnt this one.
                    boolean committed = learn(batches.committed(c, writer, batch));
                    c.commit();
                    return committed;
                } catch (SQLException | RuntimeException e) {
                    c.rollback();
                    throw e;
                }
            } catch (SQLException e) {
                throw new CompletionException(e);
            }
        }, LOOKUPS);
    }

    int writer() {
        return writer;
    }

    long batch() {
        return batch;
    }

    /**
     * Records how the batch ended, read under the lock of its writer's row; the first to learn
     * it decides (both read the same truth).
     *
     * @return whether it committed
     */
    boolean learn(boolean committed) {
        if (state.compareAndSet(UNKNOWN, committed ? COMMITTED : ROLLED_BACK)) {
            log.info("a batch whose COMMIT went unanswered, given up on, {} [writer={}, batch={}]",
                    committed ? "had committed" : "had rolled back", writer, batch);
        }
        return committed();
    }

    @Override
    public String toString() {
        return "UnknownCommit[writer=" + writer + ", batch=" + batch + ", state=" + state.get() + "]";
    }
}
