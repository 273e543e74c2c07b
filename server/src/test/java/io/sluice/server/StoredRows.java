package io.sluice.server;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.storage.TestDatabase;
import io.sluice.storage.db.DatabaseUrl;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;

/** What landed in the database, read back through the {@code metrics} view, for end-to-end tests. */
final class StoredRows {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One stored sample. */
    record Row(String metric, Map<String, String> tags, long timeMicros, double value) {
    }

    private StoredRows() {
    }

    /** Every sample whose metric starts with {@code prefix}, by metric, tags and time. */
    static List<Row> withPrefix(DatabaseUrl db, String prefix) throws SQLException {
        try (Connection c = TestDatabase.connect(db);
             PreparedStatement ps = c.prepareStatement("SELECT metric, tags::text, (extract(epoch FROM time) * 1000000)::bigint,"
                     + " value FROM metrics WHERE starts_with(metric, ?) ORDER BY metric, tags::text, time")) {
            ps.setString(1, prefix);
            List<Row> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Map<String, String> tags;
                    try {
                        tags = new TreeMap<>(JSON.readValue(rs.getString(2), new TypeReference<Map<String, String>>() {
                        }));
                    } catch (Exception e) {
                        throw new SQLException(e);
                    }
                    out.add(new Row(rs.getString(1), tags, rs.getLong(3), rs.getDouble(4)));
                }
            }
            return out;
        }
    }

    /**
     * The latest value of the one series of {@code metric} whose tags include {@code tags}; fails
     * if none or several series match.
     */
    static double value(List<Row> rows, String metric, Map<String, String> tags) {
        List<Row> m = rows.stream().filter(r -> r.metric().equals(metric)
                && r.tags().entrySet().containsAll(tags.entrySet())).toList();
        if (m.isEmpty() || m.stream().map(Row::tags).distinct().count() != 1) {
            throw new AssertionError("expected one series " + metric + tags + ", found " + m + " among " + rows.size() + " rows");
        }
        return m.stream().max(java.util.Comparator.comparingLong(Row::timeMicros)).orElseThrow().value();
    }

    /** java.util.logging records at WARNING or above (the OpenTelemetry SDK and InfluxDB clients log through it). */
    static final class JulWarnings extends Handler implements AutoCloseable {
        final List<LogRecord> records = new java.util.concurrent.CopyOnWriteArrayList<>();
        private final java.util.logging.Logger root = java.util.logging.Logger.getLogger("");

        JulWarnings() {
            setLevel(Level.WARNING);
            root.addHandler(this);
        }

        @Override
        public void publish(LogRecord r) {
            if (r.getLevel().intValue() >= Level.WARNING.intValue()) {
                records.add(r);
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
            root.removeHandler(this);
        }

        List<String> messages() {
            return records.stream().map(r -> r.getLoggerName() + ": " + r.getMessage()
                    + (r.getThrown() == null ? "" : " " + r.getThrown())).toList();
        }
    }
}
