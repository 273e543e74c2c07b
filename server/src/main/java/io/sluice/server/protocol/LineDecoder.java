package io.sluice.server.protocol;

import io.sluice.codec.LineFramer;

import java.net.SocketAddress;

/**
 * A protocol's handling of whole lines from TCP streams on one event loop thread (one instance
 * per thread): {@link #lines} gets one or more whole lines, {@link #tooLong} a line skipped for
 * passing the limit. {@link #from} says whose they are, before each read of a connection.
 */
public interface LineDecoder extends LineFramer.Lines {
    /** The client the lines passed next come from (named in log lines about bad input). */
    void from(SocketAddress peer);
}
