package io.sluice.codec.statsd;

import java.util.concurrent.atomic.AtomicLong;

/** Bytes that kept timing values and set members may take together ({@link StatsdSettings#memoryBytes()}). */
final class Budget {
    private final long limit;
    private final AtomicLong used = new AtomicLong();

    Budget(long limit) {
        this.limit = limit;
    }

    /** Takes {@code bytes} if they fit; false (and nothing taken) if not. */
    boolean take(long bytes) {
        long u;
        do {
            u = used.get();
            if (u + bytes > limit) {
                return false;
            }
        } while (!used.compareAndSet(u, u + bytes));
        return true;
    }

    /** Takes {@code bytes} whatever the limit: the small first buffer every key gets. */
    void force(long bytes) {
        used.addAndGet(bytes);
    }

    void release(long bytes) {
        used.addAndGet(-bytes);
    }

    long used() {
        return used.get();
    }
}
