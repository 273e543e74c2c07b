package io.sluice.server.auth;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A rate (requests or samples a second) for one token on this node, as the generic cell rate
 * algorithm: one atomic "theoretical arrival time" that each unit pushes {@code 1/rate} seconds
 * further; a caller is refused while it lies more than one second (the burst) ahead of now.
 * Lock-free and allocation-free, so event loops call it on every request.
 *
 * <p>A write's samples are only known once its body is parsed, so they are {@link #charge}d
 * afterwards, possibly past the burst: a large batch is let through and the next write waits
 * for it. {@link #waitNanos} is asked first, before parsing.
 */
public final class RateLimit {
    private static final long SECOND = 1_000_000_000L;

    private final double perSecond;
    private final double nanosPerUnit;
    private final AtomicLong tat = new AtomicLong(Long.MIN_VALUE / 2);

    public RateLimit(double perSecond) {
        if (!(perSecond > 0) || Double.isInfinite(perSecond)) {
            throw new IllegalArgumentException("a rate must be a positive number of units a second, not " + perSecond);
        }
        this.perSecond = perSecond;
        this.nanosPerUnit = SECOND / perSecond;
    }

    public double perSecond() {
        return perSecond;
    }

    /** Nanoseconds until a unit would be let through; 0 when one may go now. */
    public long waitNanos(long now) {
        return Math.max(0, tat.get() - SECOND - now);
    }

    /**
     * Takes {@code units} if the limit allows them now.
     *
     * @return 0 when taken; otherwise nanoseconds to wait, and nothing is taken
     */
    public long tryTake(long units, long now) {
        long cost = cost(units);
        // The backlog this take may find: room for its cost within the burst (none for a take
        // larger than the burst, which then goes only when nothing is owed).
        long allowed = Math.max(0, SECOND - cost);
        while (true) {
            long t = tat.get();
            long backlog = Math.max(0, t - now);
            if (backlog > allowed) {
                return backlog - allowed;
            }
            if (tat.compareAndSet(t, now + backlog + cost)) {
                return 0;
            }
        }
    }

    /** Takes {@code units} whatever the limit says (they were already accepted). */
    public void charge(long units, long now) {
        long cost = cost(units);
        tat.getAndUpdate(t -> Math.max(t, now) + cost);
    }

    private long cost(long units) {
        return (long) Math.min(Long.MAX_VALUE / 4, units * nanosPerUnit);
    }
}
