package io.sluice.server.ingest;

/**
 * What a sample must satisfy beyond parsing, from configuration.
 *
 * @param maxTags       tags per sample
 * @param maxAgeMicros  oldest accepted time, as an age from now; 0 for no limit but {@link #FLOOR_MICROS}
 * @param maxAheadMicros newest accepted time, as a distance ahead of now
 */
public record Limits(int maxTags, long maxAgeMicros, long maxAheadMicros) {
    /** A series key's canonical bytes above this are refused: PostgreSQL's B-tree entries are bounded. */
    public static final int MAX_SERIES_KEY_BYTES = 2048;
    /**
     * 2000-01-01T00:00Z: older times are refused whatever the settings. Each day written gets a
     * partition, so a stray epoch-zero or seconds-as-nanoseconds timestamp must not create years of them.
     */
    public static final long FLOOR_MICROS = 946_684_800_000_000L;
}
