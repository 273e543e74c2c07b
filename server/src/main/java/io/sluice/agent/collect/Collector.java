package io.sluice.agent.collect;

/** Reads one part of the machine each interval. */
public interface Collector {
    /** Short name for the log ({@code cpu}, {@code disk}, ...). */
    String name();

    /**
     * Adds this interval's readings. A collector that derives rates or percentages from counters
     * adds nothing for a device it has not seen before (the first interval is skipped).
     */
    void collect(Readings out) throws Exception;
}
