package io.sluice.storage.query;

import java.util.Map;

/** A series as queries return it. */
public record SeriesRef(int id, String metric, Map<String, String> tags) {
}
