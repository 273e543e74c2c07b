package io.sluice.storage.writer;

/**
 * When a write is acknowledged (README, "What an answer guarantees", {@code write_ack}).
 *
 * @param journal       acknowledge on the commit of one journal row a batch, and write the samples
 *                      into the hot blocks (or the hypertable) behind it; false: on the commit of
 *                      the samples themselves (the default)
 * @param flushSamples  samples the flusher gathers before it writes them; also the bound of what it
 *                      holds while writing (writers wait past it)
 * @param lingerMs      how long a journaled sample waits at most for the flusher to gather more
 */
public record JournalConfig(boolean journal, int flushSamples, long lingerMs) {
    /** Today's behaviour: acknowledged on the commit of the samples. */
    public static final JournalConfig COMMIT = new JournalConfig(false, 262_144, 200);

    public JournalConfig {
        if (flushSamples < 1_024 || flushSamples > 16_777_216) {
            throw new IllegalArgumentException("flushSamples must be between 1024 and 16777216, was " + flushSamples);
        }
        if (lingerMs < 1 || lingerMs > 60_000) {
            throw new IllegalArgumentException("lingerMs must be between 1 and 60000, was " + lingerMs);
        }
    }
}
