package io.sluice.server.protocol;

import io.netty.buffer.ByteBuf;

/**
 * A request body as a byte array for a parser: the buffer's own array when it has one from index
 * 0, else a copy into an array kept per event loop and grown to the largest body seen (bounded by
 * {@code max_body_bytes}). One per event loop.
 */
public final class BodyBytes {
    private byte[] buf = new byte[64 * 1024];

    /** The body's bytes from index 0 ({@code readableBytes()} of them); valid until the next call. */
    public byte[] of(ByteBuf b) {
        int n = b.readableBytes();
        if (b.hasArray() && b.arrayOffset() + b.readerIndex() == 0) {
            return b.array();
        }
        if (buf.length < n) {
            buf = new byte[Math.max(n, buf.length * 2)];
        }
        b.getBytes(b.readerIndex(), buf, 0, n);
        return buf;
    }
}
