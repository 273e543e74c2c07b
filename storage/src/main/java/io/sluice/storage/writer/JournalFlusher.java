package io.sluice.storage.writer;

import io.sluice.storage.db.Partitions;
import io.sluice.storage.db.Pieces;
import io.sluice.storage.head.Head;
import io.sluice.storage.query.RollupInvalidations;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The second stage of {@code write_ack = journal} (README, "What an answer guarantees"): writers
 * hand it the samples of each batch once its journal row committed and its requests were
 * answered; one thread, {@code journal-flush}, gathers them and writes them as wide blocks with
 * a {@link JournalWriter}. It writes when it holds {@link JournalConfig#flushSamples} samples,
 * when the oldest has waited {@link JournalConfig#lingerMs}, or when the writers have handed
 * nothing for {@link #IDLE_MS}.
 *
 * <p>Memory is bounded: it gathers into one buffer while it writes the other, and a writer
 * handing samples to a full buffer waits, so the ring fills and producers shed load as they do
 * when the database is slow. A batch bigger than the bound is taken alone.
 */
public final class JournalFlusher {
    private static final Logger log = LoggerFactory.getLogger(JournalFlusher.class);
    /** The writers handed nothing this long: what is gathered is written without waiting out the linger. */
    static final long IDLE_MS = 50;

    private final JournalConfig cfg;
    private final JournalWriter writer;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private JournalBatch filling;
    private JournalBatch spare;
    private long firstAtNanos;
    private long lastOfferNanos;
    private boolean closing;
    private boolean paused;
    /** Writers waiting for room: what is gathered is written at once (it will not grow first). */
    private int waiting;
    /** Written by the thread while it writes, read by the gauge. */
    private volatile int writing;
    private volatile boolean halted;
    private final Thread thread;

    /** @param local {@code write_ack = local}: the writers' journal files; null: {@code sluice_journal} rows */
    public JournalFlusher(JournalConfig cfg, DataSource pool, Partitions partitions, Pieces pieces, Head head,
                          RollupInvalidations late, WriterMetrics metrics, LocalJournal local) {
        this.cfg = cfg;
        this.writer = new JournalWriter("journal-flush", pool, partitions, pieces, head, late, metrics,
                local == null ? null : new JournalMarks(local));
        this.filling = new JournalBatch(cfg.flushSamples());
        this.spare = new JournalBatch(cfg.flushSamples());
        this.thread = new Thread(this::run, "journal-flush");
        thread.setDaemon(true);
    }

    public void start() {
        thread.start();
    }

    /** Samples handed to it and not yet written. */
    public long pending() {
        lock.lock();
        try {
            return filling.size() + (long) writing;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Takes journal row {@code id}'s samples, {@code rows[0 .. n)} of the columns, waiting while
     * the buffer is full. After {@link #halt()} it takes nothing (the journal keeps the samples).
     */
    void offer(long id, int[] rows, int n, int[] seriesIds, long[] times, double[] values, long[] steps) {
        lock.lock();
        try {
            while (!halted && filling.size() > 0 && filling.size() + n > cfg.flushSamples()) {
                waiting++;
                changed.signalAll();
                try {
                    changed.awaitUninterruptibly();
                } finally {
                    waiting--;
                }
            }
            if (halted) {
                return;
            }
            long now = System.nanoTime();
            if (filling.isEmpty()) {
                firstAtNanos = now;
            }
            lastOfferNanos = now;
            filling.add(id, rows, n, seriesIds, times, values, steps);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Holds (true) or resumes (false) writing: what is handed meanwhile stays gathered, and the
     * journal rows stay in the database. For tests of recovery; {@link #drain} resumes.
     */
    public void pause(boolean pause) {
        lock.lock();
        try {
            paused = pause;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Writes everything handed to it, then stops; after {@code timeoutMs} it stops retrying
     * (the journal keeps what is left, the next start writes it).
     *
     * @return true when everything was written
     */
    public boolean drain(long timeoutMs) throws InterruptedException {
        lock.lock();
        try {
            closing = true;
            paused = false;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        thread.join(Math.max(1, timeoutMs)); // at once when it never started
        boolean done = !thread.isAlive() && !halted;
        if (thread.isAlive()) {
            halt();
            thread.join(1_000);
        }
        return done && pending() == 0;
    }

    /** Stops retrying and taking samples: the journal keeps what is not written. */
    public void halt() {
        lock.lock();
        try {
            halted = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void run() {
        long lingerNanos = TimeUnit.MILLISECONDS.toNanos(cfg.lingerMs());
        long idleNanos = TimeUnit.MILLISECONDS.toNanos(IDLE_MS);
        while (true) {
            JournalBatch taken;
            lock.lock();
            try {
                while (true) {
                    if (halted || (closing && filling.isEmpty())) {
                        return;
                    }
                    long now = System.nanoTime();
                    long wait = TimeUnit.SECONDS.toNanos(1);
                    if (!paused && !filling.isEmpty()) {
                        long lingerLeft = firstAtNanos + lingerNanos - now;
                        long idleLeft = lastOfferNanos + idleNanos - now;
                        if (closing || waiting > 0 || filling.size() >= cfg.flushSamples() || lingerLeft <= 0
                                || idleLeft <= 0) {
                            break;
                        }
                        wait = Math.min(lingerLeft, idleLeft);
                    }
                    changed.awaitNanos(wait);
                }
                taken = filling;
                filling = spare;
                spare = taken;
                writing = taken.size();
                changed.signalAll();
            } catch (InterruptedException e) {
                log.warn("journal flusher interrupted; the journal keeps what it had not written");
                return;
            } finally {
                lock.unlock();
            }
            boolean done = writer.write(taken, () -> halted);
            taken.clear();
            writing = 0;
            if (!done) {
                return;
            }
        }
    }
}
