package io.sluice.server.live;

import io.sluice.codec.SeriesKey;
import io.sluice.storage.query.Points;
import io.sluice.storage.util.IntMap;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The newest sample of each series this node has seen (its own writes and other nodes'), kept
 * by the fan-out thread so latest-value questions are answered from memory. Bounded by the
 * series limit; a series not seen since start is looked up in the database instead.
 */
public final class LatestValues {
    /**
     * One writer (the fan-out thread), rare readers: a sequence lock keeps updates free of
     * allocation and locks while a reader never pairs one update's time with another's value.
     */
    private static final class Latest {
        volatile int seq;
        long time = Long.MIN_VALUE;
        double value;
    }

    /**
     * The writer's side of the sequence lock without a full fence per sample (two volatile
     * increments were most of the fan-out's cost per sample when no viewer is connected): the odd
     * count is ordered before the fields by a store-store fence, the even one after them by a
     * release store. Readers read the count with acquire (a volatile read), the fields, a
     * load-load fence, and the count again (Boehm, "Can seqlocks get along with programming
     * language memory models?", 2012).
     */
    private static final VarHandle SEQ;

    static {
        try {
            SEQ = MethodHandles.lookup().findVarHandle(Latest.class, "seq", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Map<SeriesKey, Latest> latest = new ConcurrentHashMap<>();
    /**
     * The same entries by series id, for this node's own samples (they carry one): an int lookup
     * instead of naming the series and hashing its key for every sample. Holds only entries of
     * {@link #latest}, so it has the same bound.
     */
    private final IntMap<Latest> byId = new IntMap<>();
    private final int max;

    public LatestValues(int max) {
        this.max = max;
    }

    /**
     * Offers a sample of series {@code id} when a sample of it was offered with its key and id
     * before; otherwise does nothing and returns false (the caller then offers it with its key).
     */
    boolean offer(int id, long time, double value) {
        Latest l = byId.get(id);
        if (l == null) {
            return false;
        }
        write(l, time, value);
        return true;
    }

    void offer(SeriesKey key, long time, double value) {
        offer(key, -1, time, value);
    }

    /** Offers a sample by its key; with {@code id >= 0}, later samples of the series may be offered by id alone. */
    void offer(SeriesKey key, int id, long time, double value) {
        Latest l = latest.get(key);
        if (l == null) {
            if (latest.size() >= max) {
                return;
            }
            l = new Latest();
            latest.put(key, l);
        }
        if (id >= 0) {
            byId.putIfAbsent(id, l);
        }
        write(l, time, value);
    }

    private static void write(Latest l, long time, double value) {
        if (time >= l.time) {
            int seq = (int) SEQ.getOpaque(l); // only this thread writes it
            SEQ.setOpaque(l, seq + 1);
            VarHandle.storeStoreFence();
            l.time = time;
            l.value = value;
            SEQ.setRelease(l, seq + 2);
        }
    }

    /** The newest point of a series, or null when this node has not seen it since start. */
    public Points point(SeriesKey key) {
        Latest l = latest.get(key);
        if (l == null) {
            return null;
        }
        while (true) {
            int before = l.seq;
            long t = l.time;
            double v = l.value;
            VarHandle.loadLoadFence(); // the field reads happen before the re-check
            if ((before & 1) == 0 && before == l.seq) {
                if (t == Long.MIN_VALUE) {
                    return null;
                }
                Points p = new Points(1);
                p.add(t, v);
                return p;
            }
            Thread.onSpinWait();
        }
    }

    public int size() {
        return latest.size();
    }
}
