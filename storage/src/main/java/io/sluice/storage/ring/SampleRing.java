package io.sluice.storage.ring;

import com.lmax.disruptor.EventHandler;
import com.lmax.disruptor.ExceptionHandler;
import com.lmax.disruptor.InsufficientCapacityException;
import com.lmax.disruptor.LiteTimeoutBlockingWaitStrategy;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.TimeoutException;
import com.lmax.disruptor.dsl.Disruptor;
import com.lmax.disruptor.dsl.ProducerType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * The bounded, preallocated, lock-free ring between event loops and consumers (writers, live
 * fan-out). Built on the LMAX Disruptor: many producers claim slots with a CAS and never block;
 * every consumer sees every slot, in parallel, and a slot is reused only after all have passed.
 *
 * <p>Producers claim a whole chunk at once ({@link #tryPublish}), an acknowledged request all
 * its slots at once ({@link #tryPublishRequest}), so either is entirely in the ring or not at
 * all. Protocols publish through {@link io.sluice.storage.ingest.IngestPort}, which hides
 * chunks and slot sizes.
 */
public final class SampleRing {
    private static final Logger log = LoggerFactory.getLogger(SampleRing.class);

    /** Most samples one {@link #tryPublish} takes (16 slots). */
    public static final int MAX_CHUNK = 16 * SampleEvent.CAPACITY;

    private final Disruptor<SampleEvent> disruptor;
    private final RingBuffer<SampleEvent> ring;
    private final List<EventHandler<SampleEvent>> consumers = new ArrayList<>();
    /** Units of acknowledged requests, one each, spreading requests over writers in turn. */
    private final AtomicLong requestUnits = new AtomicLong();
    private boolean started;
    /** Set when the drain begins: from then on nothing is published (it would never be consumed). */
    private volatile boolean closing;
    /** Producers between their look at {@link #closing} and the end of their publish. */
    private final LongAdder publishing = new LongAdder();

    /**
     * @param size        slots (of {@link SampleEvent#CAPACITY} samples each), a power of two
     * @param idleWakeMs  how often an idle consumer is woken ({@link EventHandler#onTimeout}) so
     *                    it can flush a partial batch by age
     */
    public SampleRing(int size, long idleWakeMs) {
        if (Integer.bitCount(size) != 1 || size < 64) {
            throw new IllegalArgumentException("ring size must be a power of two of at least 64 slots, was " + size);
        }
        AtomicInteger n = new AtomicInteger();
        this.disruptor = new Disruptor<>(SampleEvent::new, size,
                r -> {
                    Thread t = new Thread(r, "sluice-consumer-" + n.incrementAndGet());
                    t.setDaemon(false);
                    return t;
                },
                ProducerType.MULTI,
                new LiteTimeoutBlockingWaitStrategy(Math.max(1, idleWakeMs), TimeUnit.MILLISECONDS));
        this.ring = disruptor.getRingBuffer();
        disruptor.setDefaultExceptionHandler(new LoggingExceptionHandler());
    }

    /** Adds a consumer that sees every slot. All consumers are added before {@link #start()}. */
    public void addConsumer(EventHandler<SampleEvent> consumer) {
        if (started) {
            throw new IllegalStateException("consumers must be added before the ring starts");
        }
        consumers.add(consumer);
    }

    public void start() {
        if (consumers.isEmpty()) {
            throw new IllegalStateException("a ring without consumers would fill and never drain");
        }
        @SuppressWarnings("unchecked")
        EventHandler<SampleEvent>[] hs = consumers.toArray(new EventHandler[0]);
        disruptor.handleEventsWith(hs);
        disruptor.start();
        started = true;
    }

    /**
     * Best effort: publishes samples {@code [from, from+count)} of a batch if the ring has room
     * for all of them, in slots of up to {@link SampleEvent#CAPACITY}; never blocks.
     *
     * @param count at most {@link #MAX_CHUNK}
     * @return false when the ring is too full (nothing was published)
     */
    public boolean tryPublish(SampleBatch batch, int from, int count) {
        if (count > MAX_CHUNK) {
            throw new IllegalArgumentException("chunk of " + count + " exceeds " + MAX_CHUNK);
        }
        return claimAndPublish(batch, from, count, null);
    }

    /**
     * Publishes a whole acknowledged request in one claim: all its slots, consecutive, or none;
     * never blocks. Its last slot is marked {@link SampleEvent#endsRequest}, so writers commit
     * without lingering.
     *
     * @return false when the ring is too full (nothing was published)
     * @throws IllegalArgumentException when the batch holds more than {@link #maxRequestSamples()}
     */
    public boolean tryPublishRequest(SampleBatch batch, WriteAck ack) {
        if (batch.size() > maxRequestSamples()) {
            throw new IllegalArgumentException("request of " + batch.size() + " samples exceeds "
                    + maxRequestSamples());
        }
        return claimAndPublish(batch, 0, batch.size(), ack);
    }

    /**
     * The most samples one acknowledged request may hold: half the ring, so a request finds room
     * once the ring is half drained rather than only when it is empty.
     */
    public int maxRequestSamples() {
        return ring.getBufferSize() / 2 * SampleEvent.CAPACITY;
    }

    private boolean claimAndPublish(SampleBatch batch, int from, int count, WriteAck ack) {
        if (count == 0) {
            return true;
        }
        // Counted before looking at closing (both volatile): the drain, which sets closing and
        // then waits for this count to reach zero, cannot miss a publish that saw it unset.
        publishing.increment();
        try {
            return !closing && claimAndPublishOpen(batch, from, count, ack);
        } finally {
            publishing.decrement();
        }
    }

    private boolean claimAndPublishOpen(SampleBatch batch, int from, int count, WriteAck ack) {
        int slots = (count + SampleEvent.CAPACITY - 1) / SampleEvent.CAPACITY;
        long hi;
        try {
            hi = ring.tryNext(slots);
        } catch (InsufficientCapacityException e) {
            return false;
        }
        long lo = hi - slots + 1;
        long requestUnit = ack != null ? requestUnits.getAndIncrement() : 0;
        int src = from;
        int left = count;
        for (long seq = lo; seq <= hi; seq++) {
            SampleEvent e = ring.get(seq);
            int n = Math.min(left, SampleEvent.CAPACITY);
            batch.copyTo(src, n, e);
            e.count = n;
            e.ack = ack;
            e.unit = ack != null ? requestUnit : seq;
            e.endsRequest = ack != null && seq == hi;
            src += n;
            left -= n;
        }
        ring.publish(lo, hi);
        return true;
    }

    /** Whether the drain has begun: nothing is let in any more. */
    public boolean closed() {
        return closing;
    }

    /** Slots in the ring. */
    public int capacity() {
        return ring.getBufferSize();
    }

    /** Slots published but not yet passed by the slowest consumer. */
    public long occupancy() {
        return ring.getBufferSize() - ring.remainingCapacity();
    }

    /** Samples in slots published but not yet passed by the slowest consumer (at most what is left). */
    public long unconsumedSamples() {
        long cursor = ring.getCursor();
        long n = 0;
        for (long seq = cursor - occupancy() + 1; seq <= cursor; seq++) {
            n += ring.get(seq).count;
        }
        return n;
    }

    /**
     * Closes the ring to producers (a publish from now on finds no room), waits until every
     * published slot has been consumed, then stops the consumers (they get {@code onShutdown} to
     * flush).
     *
     * @return true if drained within the timeout; false if consumers were halted with slots left
     */
    public boolean drainAndStop(long timeout, TimeUnit unit) {
        closing = true;
        while (publishing.sum() > 0) {
            LockSupport.parkNanos(100_000); // a publish under way takes microseconds
        }
        if (!started) {
            return true;
        }
        try {
            disruptor.shutdown(timeout, unit);
            return true;
        } catch (TimeoutException e) {
            log.warn("ring not drained in time, halting consumers [left={}]", occupancy());
            disruptor.halt();
            return false;
        }
    }

    /** Consumers must never let an exception escape; if one does, log it and keep consuming. */
    private static final class LoggingExceptionHandler implements ExceptionHandler<SampleEvent> {
        @Override
        public void handleEventException(Throwable ex, long sequence, SampleEvent event) {
            log.error("consumer failed on a sample, skipping it [sequence={}]", sequence, ex);
        }

        @Override
        public void handleOnStartException(Throwable ex) {
            log.error("consumer failed to start", ex);
        }

        @Override
        public void handleOnShutdownException(Throwable ex) {
            log.error("consumer failed to shut down", ex);
        }
    }
}
