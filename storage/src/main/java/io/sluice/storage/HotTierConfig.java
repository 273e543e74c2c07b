package io.sluice.storage;

import java.time.Duration;

/**
 * The hot tier of plain PostgreSQL (README, "Hot tier and head").
 *
 * @param piece     time each hot piece of a day covers (divides a day, at least a minute)
 * @param sealDelay how long after a piece's time is over it is sealed (late samples mostly in)
 * @param headBytes memory the head's samples may take (0: no head; queries read pieces as they are)
 * @param rollupFromHead the 1-minute rollup's newest minutes from the head's aggregates rather
 *                  than from raw samples read again (README, "Ask for it": rollups); only with a head
 */
public record HotTierConfig(Duration piece, Duration sealDelay, long headBytes, boolean rollupFromHead) {
    /** What Sluice runs with unless told otherwise. */
    public static final HotTierConfig DEFAULT = new HotTierConfig(Duration.ofHours(1), Duration.ofMinutes(2), 256L << 20);

    /** With the rollup from the head (the default). */
    public HotTierConfig(Duration piece, Duration sealDelay, long headBytes) {
        this(piece, sealDelay, headBytes, true);
    }
}
