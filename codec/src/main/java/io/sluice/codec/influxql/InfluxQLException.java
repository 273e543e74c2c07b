package io.sluice.codec.influxql;

/**
 * A query Sluice cannot answer: it does not parse (InfluxDB's own wording, {@code error parsing
 * query: found X, expected Y at line 1, char N}), or it is InfluxQL outside the subset Sluice
 * answers (the message names what). Either way the answer is a 400 with {@code {"error": ...}}.
 */
public final class InfluxQLException extends Exception {
    private final boolean unsupported;

    InfluxQLException(String message, boolean unsupported) {
        super(message, null, false, false);
        this.unsupported = unsupported;
    }

    static InfluxQLException parse(String found, String expected, int position) {
        return new InfluxQLException("error parsing query: found " + found + ", expected " + expected
                + " at line 1, char " + position, false);
    }

    static InfluxQLException unsupported(String what) {
        return new InfluxQLException("not in Sluice's InfluxQL subset (README \"InfluxDB API\"): " + what, true);
    }

    /** True for valid InfluxQL that Sluice does not answer, false for text that is not InfluxQL. */
    public boolean unsupported() {
        return unsupported;
    }
}
