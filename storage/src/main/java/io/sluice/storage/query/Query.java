package io.sluice.storage.query;

import java.util.Map;

/**
 * One time-series question.
 *
 * @param stepMicros bucket width for aggregated answers, 0 for none
 * @param points     LTTB target, 0 for none
 * @param source     forced source, or null to choose by range
 */
public record Query(String metric, Map<String, String> tags, long startMicros, long endMicros, long stepMicros,
                    int points, Aggregation aggregation, Source source) {
}
