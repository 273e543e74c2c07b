package io.sluice.agent.collect;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * Per-second rates from cumulative counters read once an interval. The first reading of a
 * counter gives no rate (the first interval is skipped); counters of devices that disappear are
 * forgotten at the end of the round in which they were not read.
 */
public final class CounterRates {
    private final Map<String, Last> last = new HashMap<>();
    private final int bits;
    private long round;

    /** @param bits the platform's counter width, 32 or 64: where a counter wraps */
    public CounterRates(int bits) {
        if (bits != 32 && bits != 64) {
            throw new IllegalArgumentException("bits must be 32 or 64, not " + bits);
        }
        this.bits = bits;
    }

    /** Starts an interval's readings. */
    public void beginRound() {
        round++;
    }

    /** Forgets counters not read since {@link #beginRound()}: a device that went away. */
    public void endRound() {
        for (Iterator<Last> it = last.values().iterator(); it.hasNext(); ) {
            if (it.next().round != round) {
                it.remove();
            }
        }
    }

    /** The counter's rate per second since its last reading, or NaN for its first reading. */
    public double rate(String key, long value, long timeMs) {
        Last l = last.get(key);
        if (l == null) {
            last.put(key, new Last(value, timeMs, round));
            return Double.NaN;
        }
        long seconds = timeMs - l.timeMs;
        double rate = seconds <= 0 ? Double.NaN : increase(l.value, value, bits) * 1000.0 / seconds;
        l.value = value;
        l.timeMs = timeMs;
        l.round = round;
        return rate;
    }

    /**
     * How much a counter grew from {@code previous} to {@code current}. A counter that went down
     * either wrapped (passed the largest value of its width and started again from zero: taken as
     * such when the wrapped increase is under half the range, as SNMP managers do with 32-bit
     * interface counters) or was reset (reboot, device re-created, driver reloaded): then it is
     * taken to have restarted from zero, as Prometheus' {@code rate()} does, and the increase is
     * {@code current}. Values are unsigned: a 64-bit counter past 2^63 arrives negative.
     */
    static long increase(long previous, long current, int bits) {
        if (Long.compareUnsigned(current, previous) >= 0) {
            return current - previous;
        }
        if (bits == 32 && (previous >>> 32) == 0 && (current >>> 32) == 0) {
            long wrapped = (1L << 32) - previous + current;
            if (wrapped < (1L << 31)) {
                return wrapped;
            }
        } else if (bits == 64) {
            long wrapped = current - previous; // modulo 2^64
            if (wrapped >= 0) {
                return wrapped;
            }
        }
        return current;
    }

    private static final class Last {
        long value;
        long timeMs;
        long round;

        Last(long value, long timeMs, long round) {
            this.value = value;
            this.timeMs = timeMs;
            this.round = round;
        }
    }
}
