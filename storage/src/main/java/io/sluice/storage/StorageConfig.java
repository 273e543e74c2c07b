package io.sluice.storage;

import io.sluice.storage.db.DatabaseUrl;
import io.sluice.storage.writer.JournalConfig;
import io.sluice.storage.writer.WriterConfig;

import java.time.Duration;

/**
 * Everything the storage side needs, validated by whoever builds it (the server's config).
 *
 * @param ringSize         slots in the ring (a power of two)
 * @param maxSeries        series this node will know before refusing new ones
 * @param chunkInterval    TimescaleDB chunk interval, a PostgreSQL interval literal
 * @param partitionsAhead  days of partitions created ahead on plain PostgreSQL
 * @param allowTimescale   use TimescaleDB when the extension is available
 * @param shutdownTimeout  how long a shutdown waits for the ring to drain
 * @param retentionRaw     raw samples kept (whole partitions dropped past it)
 * @param retention1m      1-minute rollups kept
 * @param hotTier          hot pieces, sealing and the head (plain PostgreSQL)
 * @param journal          when writes are acknowledged: on the samples' commit, or on a journal row's
 */
public record StorageConfig(DatabaseUrl database, WriterConfig writer, int ringSize, int maxSeries,
                            String chunkInterval, int partitionsAhead, boolean allowTimescale,
                            Duration shutdownTimeout, int extraConnections, Duration retentionRaw,
                            Duration retention1m, HotTierConfig hotTier, JournalConfig journal) {
    /** Acknowledged on the samples' commit (write_ack = commit). */
    public StorageConfig(DatabaseUrl database, WriterConfig writer, int ringSize, int maxSeries, String chunkInterval,
                         int partitionsAhead, boolean allowTimescale, Duration shutdownTimeout, int extraConnections,
                         Duration retentionRaw, Duration retention1m, HotTierConfig hotTier) {
        this(database, writer, ringSize, maxSeries, chunkInterval, partitionsAhead, allowTimescale, shutdownTimeout,
                extraConnections, retentionRaw, retention1m, hotTier, JournalConfig.COMMIT);
    }

    /** Without a word about the hot tier: its defaults. */
    public StorageConfig(DatabaseUrl database, WriterConfig writer, int ringSize, int maxSeries, String chunkInterval,
                         int partitionsAhead, boolean allowTimescale, Duration shutdownTimeout, int extraConnections,
                         Duration retentionRaw, Duration retention1m) {
        this(database, writer, ringSize, maxSeries, chunkInterval, partitionsAhead, allowTimescale, shutdownTimeout,
                extraConnections, retentionRaw, retention1m, HotTierConfig.DEFAULT);
    }
}
