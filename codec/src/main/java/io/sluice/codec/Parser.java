package io.sluice.codec;

/**
 * What every protocol's parser is (README "How it works: adding a protocol"): bytes in, what they
 * hold to a sink, errors as values ({@link ParseError}: line, position, reason) to the same sink,
 * never an exception for bad input. A parser does no I/O and keeps no state from one call to the
 * next; one instance per thread.
 *
 * @param <S> the sink: {@link SampleSink} for protocols whose messages are samples (line
 *            protocol, JSON); a protocol whose values become samples only after a stage of its
 *            own (StatsD's aggregation) has a sink of its own
 */
public interface Parser<S extends ErrorSink> {
    /**
     * Parses {@code buf[off, off+len)}: a datagram, a request body, or whole lines of a stream.
     *
     * @return what was given to the sink (samples, or the protocol's values)
     */
    int parse(byte[] buf, int off, int len, S sink);

    /**
     * The 1-based line (or element) being parsed, during a sink call, or the last one after:
     * sinks name it in the errors they raise themselves (a limit, not the syntax).
     */
    int line();
}
