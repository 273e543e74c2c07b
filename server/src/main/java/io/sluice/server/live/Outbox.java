package io.sluice.server.live;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The fan-out thread's way into one event loop. Frames for that loop's viewers are collected in a
 * {@link Handoff} during a tick and queued here in one step; the loop drains the queue in one
 * task at a time, in order. Each cross-thread task costs the loop a wakeup, so this replaces a
 * task per viewer per frame (20,000 a second with 1,000 viewers) with at most one pending task per
 * loop.
 *
 * <p>A hand-off holds at most about {@link #HANDOFF_BYTES}, and the loop does I/O between two of
 * them (the next one is scheduled, and Netty runs scheduled tasks only after the next I/O pass):
 * a burst then reaches a fast viewer's socket as it drains, instead of piling up in its queue.
 */
final class Outbox implements Runnable {
    private final EventLoop loop;
    private final ConcurrentLinkedQueue<Handoff> queued = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    static final int HANDOFF_BYTES = 256 * 1024;
    /** Hand-offs left waiting for I/O passes at most; past it the loop delivers without pausing. */
    static final int MAX_WAITING = 16;
    private final AtomicInteger waiting = new AtomicInteger();
    private Handoff filling = new Handoff(64); // fan-out thread only

    Outbox(EventLoop loop) {
        this.loop = loop;
        // A loop that stops drops its scheduled tasks unrun: give back what was waiting for it.
        loop.terminationFuture().addListener(f -> releaseQueued());
    }

    /** Fan-out thread: one more frame (an owned reference) for a viewer on this loop. */
    void add(Viewer v, ByteBuf frame, int samples) {
        filling.add(v, frame, samples);
        if (filling.bytes >= HANDOFF_BYTES) {
            handOver();
        }
    }

    /** Fan-out thread: queues what was collected and makes sure the loop will run it. */
    void handOver() {
        if (filling.size == 0) {
            return;
        }
        queued.add(filling);
        waiting.incrementAndGet();
        filling = new Handoff(filling.size);
        schedule();
    }

    private void schedule() {
        if (scheduled.compareAndSet(false, true)) {
            try {
                loop.execute(this);
            } catch (RuntimeException rejected) { // the loop is shutting down
                releaseQueued();
                scheduled.set(false);
            }
        }
    }

    private void releaseQueued() {
        Handoff h;
        while ((h = queued.poll()) != null) {
            waiting.decrementAndGet();
            h.release();
        }
    }

    @Override
    public void run() {
        Handoff h;
        do {
            h = queued.poll();
            if (h != null) {
                waiting.decrementAndGet();
                h.deliver();
            }
        } while (h != null && waiting.get() > MAX_WAITING); // the fan-out is ahead: keep memory bounded
        if (!queued.isEmpty()) {
            try {
                loop.schedule(this, 0, TimeUnit.NANOSECONDS); // after the loop's next I/O pass
            } catch (RuntimeException rejected) {
                scheduled.set(false);
                schedule();
            }
            return;
        }
        scheduled.set(false);
        if (!queued.isEmpty()) {
            schedule(); // added between the last peek and clearing the flag
        }
    }
}
