package io.sluice.storage.query;

import java.util.List;

/** Series with their points, and the source that served them. */
public record QueryResult(Source source, long stepMicros, List<Entry> series) {
    public record Entry(SeriesRef series, Points points) {
    }
}
