package io.sluice.storage.ring;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * Group commit for one write request: counts its samples down as writers commit them, and calls
 * back exactly once — with null when all are durable, or with the first failure.
 *
 * <p>Samples are counted in only once the request is fully published ({@link #sealed}); until
 * then a writer may already have committed some, so the count may dip below zero in between.
 */
public final class WriteAck {
    private final AtomicInteger outstanding = new AtomicInteger();
    private final AtomicReference<Consumer<String>> callback;
    private volatile boolean sealed;

    public WriteAck(Consumer<String> onDone) {
        this.callback = new AtomicReference<>(onDone);
    }

    /** Called by the producer once all {@code published} samples are in the ring. */
    public void seal(int published) {
        sealed = true;
        if (outstanding.addAndGet(published) == 0) {
            complete(null);
        }
    }

    /** Called by a writer after committing {@code n} samples of this request. */
    public void committed(int n) {
        if (outstanding.addAndGet(-n) == 0 && sealed) {
            complete(null);
        }
    }

    /** Called by a writer that gave up on a batch holding samples of this request. */
    public void failed(String reason) {
        complete(reason);
    }

    public boolean isDone() {
        return callback.get() == null;
    }

    private void complete(String failure) {
        Consumer<String> cb = callback.getAndSet(null);
        if (cb != null) {
            cb.accept(failure);
        }
    }
}
