package io.sluice.storage.query;

import io.sluice.storage.metrics.Counter;
import io.sluice.storage.metrics.Metrics;

import java.util.EnumMap;
import java.util.Map;

/** The rollup refresh's counters and watermark ages, registered once. */
public final class RollupMetrics {
    final Counter refreshes;
    final Counter failures;
    final Counter invalidatedRanges;
    final Counter headRows;
    final Counter headMissedMinutes;
    private final Map<Source, Counter> skipped = new EnumMap<>(Source.class);
    /** Each level's watermark as last seen, epoch micros; 0 before the first refresh. */
    private final Map<Source, Long> marks = new EnumMap<>(Source.class);

    public RollupMetrics(Metrics m) {
        refreshes = m.counter("sluice_rollup_refreshes_total", "Rollup refresh runs completed (plain PostgreSQL).");
        failures = m.counter("sluice_rollup_refresh_failures_total",
                "Rollup refresh runs that failed as a whole and will be retried (database down, timeout).");
        invalidatedRanges = m.counter("sluice_rollup_invalidated_ranges_total",
                "Time ranges of late or backfilled samples that writers recorded for the rollups to re-materialise.");
        headRows = m.counter("sluice_rollup_head_rows_total",
                "1-minute rollup rows written from the head's aggregates instead of re-reading raw samples.");
        headMissedMinutes = m.counter("sluice_rollup_head_missed_minutes_total",
                "Minutes the 1-minute rollup computed from raw samples because a sample reached the head after its minute's aggregate was let go.");
        for (Source level : new Source[] {Source.M1, Source.H1, Source.D1}) {
            skipped.put(level, m.counter("sluice_rollup_buckets_skipped_total",
                    "Rollup buckets of one series that could not be computed (a data error) and were skipped.",
                    "level", level.label));
            marks.put(level, 0L);
            m.gauge("sluice_rollup_lag_seconds", "How far each rollup level's watermark is behind now.",
                    () -> lagSeconds(level), "level", level.label);
        }
    }

    Counter skipped(Source level) {
        return skipped.get(level);
    }

    synchronized void watermark(Source level, long micros) {
        marks.put(level, micros);
    }

    private synchronized long lagSeconds(Source level) {
        long mark = marks.get(level);
        return mark == 0 ? 0 : Math.max(0, (System.currentTimeMillis() * 1000 - mark) / 1_000_000L);
    }
}
