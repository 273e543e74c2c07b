package io.sluice.codec.prometheus;

/**
 * What one remote write request held besides the samples given to the sink: the counts a
 * receiver answers with (remote write 2.0's {@code X-Prometheus-Remote-Write-*-Written} headers)
 * and the counters of what was valid but not stored. Reset by each parse.
 */
public final class RemoteWriteStats {
    int series;
    int samples;
    int staleMarkers;
    int nonFinite;
    int exemplars;
    int histograms;
    int metadata;

    void clear() {
        series = samples = staleMarkers = nonFinite = exemplars = histograms = metadata = 0;
    }

    /** Time series messages read. */
    public int series() {
        return series;
    }

    /** Samples given to the sink (it may still refuse some: a limit, a time out of range). */
    public int samples() {
        return samples;
    }

    /** Stale markers (the NaN {@code 0x7ff0000000000002}): a series ended; nothing to store. */
    public int staleMarkers() {
        return staleMarkers;
    }

    /** Other NaN and infinite values, which Sluice does not store (README "Answers"). */
    public int nonFinite() {
        return nonFinite;
    }

    /** Exemplars, accepted and not stored. */
    public int exemplars() {
        return exemplars;
    }

    /** Native histogram samples, accepted and not stored. */
    public int histograms() {
        return histograms;
    }

    /** Metadata entries (1.0: {@code WriteRequest.metadata}; 2.0: each series' metadata), not stored. */
    public int metadata() {
        return metadata;
    }
}
