package io.sluice.codec;

/** Where a parser reports what it could not parse; every protocol's sink is one. */
public interface ErrorSink {
    /** A line or element that could not be parsed; parsing goes on with the next one. */
    void error(ParseError error);
}
