package io.sluice.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/** One scenario's figures, for the table and the JSON report. */
record Result(String scenario, long rows, double seconds, Map<String, Object> extra) {
    /** The same figures with more notes after them. */
    Result with(Map<String, Object> more) {
        if (more.isEmpty()) {
            return this;
        }
        Map<String, Object> m = new LinkedHashMap<>(extra);
        m.putAll(more);
        return new Result(scenario, rows, seconds, m);
    }

    double rate() {
        return rows / seconds;
    }

    /** An ingest figure, comparable with the COPY ceiling; query and live figures are not. */
    boolean landsRows() {
        return scenario.startsWith("ceiling") || scenario.startsWith("http") || scenario.startsWith("udp")
                || scenario.startsWith("prometheus") || scenario.startsWith("otlp");
    }

    Map<String, Object> asMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("scenario", scenario);
        m.put("rows", rows);
        m.put("seconds", Math.round(seconds * 1000) / 1000.0);
        m.put("rows_per_second", Math.round(rate()));
        m.putAll(extra);
        return m;
    }
}
