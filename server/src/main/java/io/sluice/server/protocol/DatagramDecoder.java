package io.sluice.server.protocol;

import io.netty.channel.EventLoop;

import java.net.InetSocketAddress;

/** A protocol's handling of datagrams on one event loop thread (one instance per thread). */
public interface DatagramDecoder {
    /**
     * One datagram's payload, {@code buf[0, len)}, from {@code sender} (named in log lines about
     * bad input); the buffer is reused after the call.
     */
    void datagram(InetSocketAddress sender, byte[] buf, int len);

    /** The end of a read loop (several datagrams): publish what is staged, or arrange to. */
    default void readComplete(EventLoop loop) {
    }

    /** The socket is closing (shutdown): nothing staged may be left behind. */
    default void closing() {
    }
}
