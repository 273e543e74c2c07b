package io.sluice.server.http;

import io.sluice.storage.writer.UnknownCommit;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code Idempotency-Key} of each write in progress or committed on this node (the IETF
 * draft "The Idempotency-Key HTTP Header Field", draft-ietf-httpapi-idempotency-key-header), so
 * that a client that lost an answer and sends the same write again stores it once (README
 * "Answers"). A key is claimed by its first write; while that write is in progress another with
 * the same key is refused (409, the draft's answer); once it is committed another is answered as
 * committed and stores nothing; when it stored nothing (503, withdrawn, failed) the key is
 * forgotten and the next write with it is a new one. When its COMMIT went unanswered and the
 * writer gave up (500: stored whole or not at all), the key stays bound to that batch until its
 * outcome is learnt from the database ({@link UnknownCommit}): then it is committed, or free.
 *
 * <p>Kept in memory per node: a restart forgets every key, and with them nothing in progress is
 * lost track of (the ring, and so every write in progress, ends with the process). Bounded: a
 * committed key is kept {@code ttlNanos}, and at most {@code max} keys are held, the oldest
 * committed going first. Thread-safe.
 */
final class IdempotencyKeys {
    /** Longest key accepted (the draft leaves it open; a UUID takes 36). */
    static final int MAX_KEY_LENGTH = 255;

    /** What a write carrying a key may do. */
    enum Claim {
        /** The key is new: the write goes ahead, and its outcome is reported here. */
        NEW,
        /** A write with this key is in progress: refuse this one for now. */
        IN_PROGRESS,
        /** A write with this key is committed: answer as committed, store nothing. */
        COMMITTED,
        /**
         * A write with this key may be stored ({@link #unknown}): learn how it ended, then claim
         * again; store nothing until then.
         */
        UNKNOWN
    }

    private static final long IN_PROGRESS = Long.MIN_VALUE;

    private final int max;
    private final long ttlNanos;
    /**
     * Key to the time it was committed (a Long), {@link #IN_PROGRESS}, or the {@link UnknownCommit}
     * that holds it; in order of claim or commit.
     */
    private final LinkedHashMap<String, Object> keys = new LinkedHashMap<>();

    IdempotencyKeys(int max, long ttlNanos) {
        if (max < 1 || ttlNanos < 1) {
            throw new IllegalArgumentException("max and ttl must be positive, were " + max + " and " + ttlNanos);
        }
        this.max = max;
        this.ttlNanos = ttlNanos;
    }

    synchronized Claim claim(String key) {
        long now = System.nanoTime();
        forgetExpired(now);
        Object state = keys.get(key);
        if (state instanceof UnknownCommit u) {
            if (!u.known()) {
                return Claim.UNKNOWN;
            }
            keys.remove(key);
            if (u.committed()) {
                keys.put(key, now);
                return Claim.COMMITTED;
            }
            state = null; // it stored nothing: the key is free
        }
        if (state == null) {
            keys.put(key, IN_PROGRESS);
            bound();
            return Claim.NEW;
        }
        return state.equals(IN_PROGRESS) ? Claim.IN_PROGRESS : Claim.COMMITTED;
    }

    /** The batch a key's write may be stored by, after {@link Claim#UNKNOWN}; null if no longer so. */
    synchronized UnknownCommit unknown(String key) {
        return keys.get(key) instanceof UnknownCommit u ? u : null;
    }

    /**
     * The write that claimed {@code key} went into a batch whose COMMIT went unanswered: the key
     * stays bound to it (never expired, like a key in progress) until its outcome is learnt.
     */
    synchronized void unknown(String key, UnknownCommit commit) {
        keys.remove(key);
        keys.put(key, commit);
    }

    /** The write that claimed {@code key} is committed. */
    synchronized void committed(String key) {
        keys.remove(key);
        keys.put(key, System.nanoTime()); // at the end: expiry scans from the oldest
    }

    /** The write that claimed {@code key} stored nothing: the key is free again. */
    synchronized void forget(String key) {
        keys.remove(key);
    }

    synchronized int size() {
        return keys.size();
    }

    private void forgetExpired(long now) {
        for (Iterator<Map.Entry<String, Object>> it = keys.entrySet().iterator(); it.hasNext(); ) {
            if (!(it.next().getValue() instanceof Long at) || at == IN_PROGRESS) {
                continue;
            }
            if (now - at < ttlNanos) {
                return; // committed keys are in commit order: the rest are younger
            }
            it.remove();
        }
    }

    /**
     * Past {@code max}, the oldest committed keys go; keys in progress stay (the ring bounds them),
     * and so do keys bound to an unknown commit (rare: a writer gave up on an unanswered COMMIT).
     */
    private void bound() {
        for (Iterator<Map.Entry<String, Object>> it = keys.entrySet().iterator(); keys.size() > max && it.hasNext(); ) {
            if (it.next().getValue() instanceof Long at && at != IN_PROGRESS) {
                it.remove();
            }
        }
    }
}
