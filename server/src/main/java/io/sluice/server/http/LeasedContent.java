package io.sluice.server.http;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;

/**
 * A request body that gives its bytes back to the {@link BodyBudget} once freed: exactly once,
 * since a buffer is deallocated once (reference counted). Holds the aggregated body as read, or
 * its gzip-decoded form.
 */
final class LeasedContent extends CompositeByteBuf {
    private final BodyBudget.Lease lease;

    LeasedContent(ByteBufAllocator alloc, int maxComponents, BodyBudget.Lease lease) {
        super(alloc, true, maxComponents);
        this.lease = lease;
    }

    @Override
    protected void deallocate() {
        try {
            super.deallocate();
        } finally {
            lease.close();
        }
    }
}
