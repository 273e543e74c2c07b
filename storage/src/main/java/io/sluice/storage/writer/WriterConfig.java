package io.sluice.storage.writer;

/**
 * Settings of the writer threads.
 *
 * @param writers      threads draining the ring, one database connection each at a time
 * @param batchSize    rows at most in one COPY; a batch is flushed when it reaches this size
 * @param lingerMs     how long a partial batch may wait for more rows, unless it completes an
 *                     acknowledged request (0: flush whenever the ring is momentarily empty;
 *                     the batch then grows by itself under load)
 * @param maxBackoffMs longest wait between retries of a failed batch
 * @param timescale    the samples table is a hypertable (no partitions to manage)
 */
public record WriterConfig(int writers, int batchSize, long lingerMs, long maxBackoffMs, boolean timescale) {
    public WriterConfig {
        if (writers < 1 || writers > 64) {
            throw new IllegalArgumentException("writers must be between 1 and 64, was " + writers);
        }
        if (batchSize < 1 || batchSize > 1_000_000) {
            throw new IllegalArgumentException("batchSize must be between 1 and 1000000, was " + batchSize);
        }
        if (lingerMs < 0) {
            throw new IllegalArgumentException("lingerMs cannot be negative, was " + lingerMs);
        }
        if (maxBackoffMs < 10) {
            throw new IllegalArgumentException("maxBackoffMs cannot be less than 10ms, was " + maxBackoffMs);
        }
    }
}
