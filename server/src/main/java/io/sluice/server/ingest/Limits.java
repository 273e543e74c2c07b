package io.sluice.server.ingest;

/**
 * What a sample must satisfy beyond parsing, from configuration.
 *
 * @param maxTags       tags per sample
 * @param maxAgeMicros  oldest accepted time, as an age from now (raw retention)
 * @param maxAheadMicros newest accepted time, as a distance ahead of now
 */
public record Limits(int maxTags, long maxAgeMicros, long maxAheadMicros) {
    /** A series key's canonical bytes above this are refused: PostgreSQL's B-tree entries are bounded. */
    public static final int MAX_SERIES_KEY_BYTES = 2048;
}
