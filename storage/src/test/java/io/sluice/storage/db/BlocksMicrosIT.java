package io.sluice.storage.db;

import io.sluice.storage.TestDatabase;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Schema step 014 (schema/014_blocks_micros.postgres.sql): the hot blocks' times are bigint
 * microseconds since the Unix epoch, converted on read exactly, in any session time zone; a
 * database whose blocks hold timestamptz is converted in place with its samples unchanged; and
 * {@code samples_between} still narrows the blocks by their BRIN.
 */
class BlocksMicrosIT {
    /** Far from 1970 and at microsecond precision: where epoch + us * interval '1 microsecond' rounds (beyond 2^53 us). */
    private static final String[] TIMES = {"1500-06-01T00:00:00.999999Z", "1500-06-01T00:00:01.000001Z",
        "1969-12-31T23:59:59.999999Z", "2026-11-29T10:00:00.000001Z", "2400-01-01T00:00:00.000001Z",
        "9999-12-31T23:59:59.999999Z", "+200000-07-01T12:34:56.789013Z"};

    private static long micros(String iso) {
        Instant t = Instant.parse(iso);
        return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1000);
    }

    @Test
    void microsecondsConvertExactlyBothWaysFarFrom1970InAnyTimeZone() throws Exception {
        DatabaseUrl url = TestDatabase.fresh("blocks_micros");
        try (Connection c = TestDatabase.connect(url); Statement st = c.createStatement()) {
            Schema.apply(c, "1 day", false);
            // A zone with daylight saving: the conversion must not add days in local time.
            st.execute("SET TimeZone = 'America/New_York'");
            for (String t : TIMES) {
                try (PreparedStatement ps = c.prepareStatement("SELECT time_to_unix_micros(?::timestamptz),"
                        + " unix_micros_to_time(?) = ?::timestamptz, to_char(unix_micros_to_time(?) AT TIME ZONE 'UTC',"
                        + " 'YYYY-MM-DD\"T\"HH24:MI:SS.US')")) {
                    String literal = t.replace("+", ""); // PostgreSQL's input takes a six-digit year without a sign
                    ps.setString(1, literal);
                    ps.setLong(2, micros(t));
                    ps.setString(3, literal);
                    ps.setLong(4, micros(t));
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        assertThat(rs.getLong(1)).as(t).isEqualTo(micros(t));
                        assertThat(rs.getBoolean(2)).as(t).isTrue();
                        assertThat(rs.getString(3)).as(t).isEqualTo(t.replace("Z", "").replace("+", ""));
                    }
                }
            }
            // The ends: bigint's largest is a time (294247 AD); infinite bounds clamp to bigint's ends.
            assertThat(TestDatabase.count(url, "SELECT count(*) FROM (SELECT unix_micros_to_time(9223372036854775807) t) x"
                    + " WHERE t = '294247-01-10 04:00:54.775807+00'")).isEqualTo(1);
            assertThat(TestDatabase.count(url, "SELECT time_to_unix_micros('infinity')")).isEqualTo(Long.MAX_VALUE);
            assertThat(TestDatabase.count(url, "SELECT time_to_unix_micros('-infinity')")).isEqualTo(Long.MIN_VALUE);

            // Through the view and samples_between: blocks of these times read back exactly.
            st.execute("INSERT INTO series (id, metric) VALUES (1, 'far')");
            StringBuilder times = new StringBuilder();
            StringBuilder vals = new StringBuilder();
            for (int k = 0; k < TIMES.length; k++) {
                times.append(k == 0 ? "" : ",").append(micros(TIMES[k]));
                vals.append(k == 0 ? "" : ",").append(k);
            }
            st.execute("INSERT INTO samples_blocks VALUES (1, " + micros(TIMES[0]) + ", " + micros(TIMES[TIMES.length - 1])
                    + ", '{" + times + "}', '{" + vals + "}', NULL)");
            List<String> expected = new ArrayList<>();
            for (int k = 0; k < TIMES.length; k++) {
                expected.add(micros(TIMES[k]) + "=" + k);
            }
            assertThat(read(c, "samples")).isEqualTo(expected);
            assertThat(read(c, "samples_between('-infinity', 'infinity')")).isEqualTo(expected);
            assertThat(read(c, "samples_between('" + TIMES[1] + "', '" + TIMES[5] + "')")).isEqualTo(expected.subList(1, 5));
        }
    }

    @Test
    void aDatabaseWithTimestamptzBlocksIsUpgradedWithItsSamplesUnchanged() throws Exception {
        DatabaseUrl url = TestDatabase.fresh("blocks_micros_upgrade");
        List<String> before;
        try (Connection c = TestDatabase.connect(url); Statement st = c.createStatement()) {
            // The steps before 014, as a database made by the previous version has them.
            st.execute("CREATE TABLE sluice_schema (step text PRIMARY KEY, flavor text NOT NULL,"
                    + " applied_at timestamptz NOT NULL DEFAULT now())");
            for (String step : Schema.STEPS.subList(0, Schema.STEPS.indexOf("014_blocks_micros"))) {
                st.execute(Schema.load(step, Schema.Flavor.POSTGRES).replace("${chunk_interval}", "1 day"));
                st.execute("INSERT INTO sluice_schema (step, flavor) VALUES ('" + step + "', 'postgres')");
            }
            assertThat(type(c, "times")).isEqualTo("timestamp with time zone[]");
            st.execute("INSERT INTO series (id, metric) VALUES (1, 'a'), (2, 'b')");
            // As the writers made them, and as SQL may: out of order, steps NULL, partly NULL, or short.
            st.execute("INSERT INTO samples_blocks VALUES (1, '2026-11-29 10:00:00.000001+00', '2026-11-29 10:00:02.999999+00',"
                    + " '{2026-11-29 10:00:00.000001+00, 2026-11-29 10:00:01+00, 2026-11-29 10:00:02.999999+00}', '{1, 2, 3}', NULL)");
            st.execute("INSERT INTO samples_blocks VALUES (2, '1500-06-01 00:00:00.999999+00', '2400-01-01 00:00:00.000001+00',"
                    + " '{2400-01-01 00:00:00.000001+00, 1500-06-01 00:00:00.999999+00, 1969-12-31 23:59:59.999999+00}',"
                    + " '{4, 5, 6}', '{7, NULL}')");
            st.execute("INSERT INTO samples_blocks SELECT 1 + g % 2, t, t, ARRAY[t], ARRAY[g], ARRAY[g]"
                    + " FROM generate_series(1, 500) g, LATERAL (SELECT timestamptz '2026-11-29 09:00:00.123456+00'"
                    + " + g * interval '1.000001 s') x(t)");
            before = all(c);
            assertThat(before).hasSize(506);
        }

        try (Connection c = TestDatabase.connect(url)) {
            Schema.apply(c, "1 day", false);
            assertThat(type(c, "time_min")).isEqualTo("bigint");
            assertThat(type(c, "time_max")).isEqualTo("bigint");
            assertThat(type(c, "times")).isEqualTo("bigint[]");
            assertThat(all(c)).isEqualTo(before);
            // The BRIN is on the new columns, of bigint's operator class, and still summarises as blocks come.
            try (Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT pg_get_indexdef(i.indexrelid), (SELECT string_agg(o.opcname, ',')"
                         + " FROM unnest(i.indclass::oid[]) k JOIN pg_opclass o ON o.oid = k)"
                         + " FROM pg_index i WHERE i.indexrelid = 'samples_blocks_time_brin'::regclass")) {
                rs.next();
                assertThat(rs.getString(1)).contains("USING brin (time_min, time_max)").contains("autosummarize='on'");
                assertThat(rs.getString(2)).isEqualTo("int8_minmax_ops,int8_minmax_ops");
            }
            // The stored times are the same instants, in microseconds since 1970.
            assertThat(TestDatabase.count(url, "SELECT time_min FROM samples_blocks WHERE series_id = 1 ORDER BY time_min LIMIT 1"))
                    .isEqualTo(micros("2026-11-29T09:00:02.123458Z")); // g = 2
            assertThat(TestDatabase.count(url, "SELECT count(*) FROM samples_between('2026-11-29 10:00:00.000001+00',"
                    + " '2026-11-29 10:00:02.999999+00')")).isEqualTo(2);
        }
    }

    @Test
    void samplesBetweenNarrowsTheBlocksByTheirBrinOnBareColumns() throws Exception {
        DatabaseUrl url = TestDatabase.fresh("blocks_micros_brin");
        try (Connection c = TestDatabase.connect(url); Statement st = c.createStatement()) {
            Schema.apply(c, "1 day", false);
            // Off, so that the plan shows whether the BRIN can be used at all on a table this small; and
            // without step 017's per-series B-tree, which an empty table's plan would take for any filter
            // (on a table of blocks a one-series read takes the B-tree, every series' the BRIN: BlocksSeriesIndexIT).
            st.execute("SET enable_seqscan = off");
            st.execute("DROP INDEX samples_blocks_series_time");
            StringBuilder plan = new StringBuilder();
            // Bound parameters, as Sluice's own queries pass them.
            try (PreparedStatement ps = c.prepareStatement("EXPLAIN SELECT * FROM samples_between(?, ?) WHERE series_id = 3")) {
                ps.setObject(1, java.time.OffsetDateTime.parse("2026-11-29T10:00:00Z"));
                ps.setObject(2, java.time.OffsetDateTime.parse("2026-11-29T11:00:00Z"));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        plan.append(rs.getString(1)).append('\n');
                    }
                }
            }
            assertThat(plan.toString()).contains("Bitmap Index Scan on samples_blocks_time_brin")
                    .containsPattern("Index Cond: \\(\\(time_min < .*\\) AND \\(time_max >= .*\\)\\)");
        }
    }

    /** Every sample of the {@code samples} view as "series|time in UTC|value|step", in order. */
    private static List<String> all(Connection c) throws SQLException {
        return strings(c, "SELECT series_id || '|' || to_char(time AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')"
                + " || '|' || value || '|' || coalesce(step::text, '-') FROM samples ORDER BY series_id, time, value");
    }

    /** The samples of {@code relation} as "micros=value", in time order. */
    private static List<String> read(Connection c, String relation) throws SQLException {
        return strings(c, "SELECT time_to_unix_micros(time) || '=' || value::float8 FROM " + relation + " ORDER BY time");
    }

    private static List<String> strings(Connection c, String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    private static String type(Connection c, String column) throws SQLException {
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT format_type(atttypid, atttypmod) FROM pg_attribute"
                     + " WHERE attrelid = 'samples_blocks'::regclass AND attname = '" + column + "'")) {
            rs.next();
            return rs.getString(1);
        }
    }
}
