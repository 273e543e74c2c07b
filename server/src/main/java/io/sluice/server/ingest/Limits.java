package io.sluice.server.ingest;

/**
 * What a sample must satisfy beyond parsing, from configuration.
 *
 * @param maxTags       tags per sample
 * @param maxAgeMicros  oldest accepted time, as an age from now; 0 for no limit but {@link #FLOOR_MICROS}
 * @param maxAheadMicros newest accepted time, as a distance ahead of now
 * @param retentionMicros {@code retention_raw}: older samples are refused, as InfluxDB refuses
 *                      points beyond its retention policy; a partition is kept
 *                      for every day younger than that, so a writer never has to create one
 */
public record Limits(int maxTags, long maxAgeMicros, long maxAheadMicros, long retentionMicros) {
    /** A series key's canonical bytes above this are refused: PostgreSQL's B-tree entries are bounded. */
    public static final int MAX_SERIES_KEY_BYTES = 2048;
    /**
     * 2000-01-01T00:00Z: older times are refused whatever the settings. Each day written gets a
     * partition, so a stray epoch-zero or seconds-as-nanoseconds timestamp must not create years of them.
     */
    public static final long FLOOR_MICROS = 946_684_800_000_000L;
    /**
     * Largest magnitude of a stored value (README, "Refused samples"). PostgreSQL raises an error
     * rather than return infinity when float8 arithmetic overflows: one 1e200 made every rollup's
     * {@code sum(value * value)} fail, in Sluice's refresh and in TimescaleDB's
     * continuous aggregates alike. Under 1e100 a square stays under 1e200: a bucket's sum of
     * squares would need 1e108 samples to overflow, and the running variance that PostgreSQL's
     * {@code avg} and {@code stddev} keep (a squared deviation times the count) more than 1e50.
     */
    public static final double MAX_MAGNITUDE = 1e100;
    /**
     * Smallest magnitude of a stored value other than 0: PostgreSQL raises "underflow" when a
     * product of non-zero floats rounds to 0, which {@code value * value} does below about 1e-162.
     */
    public static final double MIN_MAGNITUDE = 1e-100;

    /** Whether PostgreSQL can square and sum the value without an overflow or underflow error. */
    public static boolean storable(double value) {
        double m = Math.abs(value);
        return m <= MAX_MAGNITUDE && (m >= MIN_MAGNITUDE || value == 0);
    }
}
