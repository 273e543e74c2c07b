package io.sluice.server.protocol;

import io.sluice.codec.LineFramer;

/**
 * A protocol's handling of whole lines from TCP streams on one event loop thread (one instance
 * per thread): {@link #lines} gets one or more whole lines, {@link #tooLong} a line skipped for
 * passing the limit.
 */
public interface LineDecoder extends LineFramer.Lines {
}
