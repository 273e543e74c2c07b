package io.sluice.agent.send;

import io.sluice.agent.collect.Sample;

import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The samples waiting to be sent, oldest first, at most {@code capacity} of them counting those
 * the sender holds in flight. When it is full the oldest waiting samples make room and are
 * counted as dropped: the newest readings are worth most to a monitor.
 */
public final class SampleBuffer {
    private final ArrayDeque<Sample> waiting = new ArrayDeque<>();
    private final int capacity;
    private int inFlight;
    private long dropped;

    public SampleBuffer(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, not " + capacity);
        }
        this.capacity = capacity;
    }

    /** Adds an interval's samples, dropping the oldest waiting ones when full. */
    public synchronized void add(List<Sample> samples) {
        for (Sample s : samples) {
            if (waiting.size() + inFlight >= capacity) {
                dropped++;
                if (waiting.isEmpty()) {
                    continue; // everything held is in flight: the new sample is the one that cannot fit
                }
                waiting.pollFirst();
            }
            waiting.addLast(s);
        }
        notifyAll();
    }

    /**
     * Moves up to {@code max} of the oldest samples into {@code into} (the sender's batch, still
     * counted against the capacity until {@link #done(int)}); waits up to {@code waitMs} for some.
     */
    public synchronized void take(List<Sample> into, int max, long waitMs) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMs);
        while (waiting.isEmpty()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        while (into.size() < max && !waiting.isEmpty()) {
            into.add(waiting.pollFirst());
            inFlight++;
        }
    }

    /** The sender is done with {@code n} samples it took (sent, found stored, or refused). */
    public synchronized void done(int n) {
        inFlight -= n;
    }

    /** Samples held now, waiting and in flight. */
    public synchronized int size() {
        return waiting.size() + inFlight;
    }

    public synchronized long dropped() {
        return dropped;
    }
}
