package io.sluice.storage.db;

import io.sluice.storage.TestDatabase;
import org.junit.jupiter.api.Test;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Schema step 017 (schema/017_blocks_series_index.postgres.sql): one series' recent samples are
 * read from the unsealed blocks through the per-series B-tree, whether or not the table has
 * statistics yet, and the answer is the same as from a scan of every block.
 */
class BlocksSeriesIndexIT {
    /** 2026-11-29T10:00Z in microseconds since the Unix epoch; the blocks cover the hour from there. */
    private static final long T0 = 1_795_946_400_000_000L;
    private static final OffsetDateTime HOUR_START = OffsetDateTime.parse("2026-11-29T10:00:00Z");

    /** What raw queries send (QueryService): the series as an array parameter, the bounds as parameters. */
    private static final String SERIES_HOUR = "SELECT series_id, time, value FROM samples_between(?, ?)"
            + " WHERE series_id = ANY(?) ORDER BY series_id, time";

    @Test
    void aSeriesHourOfUnsealedBlocksIsReadThroughTheSeriesIndexWithAndWithoutStatistics() throws Exception {
        try (Connection c = filled("blocks_series_index"); Statement st = c.createStatement()) {
            // A table loaded moments ago has no statistics (autovacuum's ANALYZE has not come yet).
            st.execute("DELETE FROM pg_statistic WHERE starelid = 'samples_blocks'::regclass");
            for (String stats : List.of("no statistics", "statistics")) {
                if (stats.equals("statistics")) {
                    st.execute("ANALYZE samples_blocks");
                }
                for (String mode : List.of("force_custom_plan", "force_generic_plan")) {
                    st.execute("SET plan_cache_mode = " + mode);
                    assertThat(plan(c)).as(mode + ", " + stats).contains("samples_blocks_series_time")
                            .doesNotContain("Seq Scan on samples_blocks");
                }
            }
            // Every series' last minutes (the head's loader, the rollups) still go by the BRIN.
            try (PreparedStatement ps = c.prepareStatement("EXPLAIN SELECT count(*) FROM samples_between(?, 'infinity')")) {
                ps.setObject(1, HOUR_START.plusMinutes(50));
                assertThat(lines(ps)).contains("Bitmap Index Scan on samples_blocks_time_brin")
                        .doesNotContain("samples_blocks_series_time");
            }
        }
    }

    @Test
    void theIndexAnswersAsAScanOfEveryBlockDoesIncludingBlocksThatStraddleTheBounds() throws Exception {
        try (Connection c = filled("blocks_series_index_answer"); Statement st = c.createStatement()) {
            st.execute("ANALYZE samples_blocks");
            // From the middle of a block to the middle of another: the first and last blocks are read in part.
            OffsetDateTime from = HOUR_START.plusSeconds(150);
            OffsetDateTime to = HOUR_START.plusSeconds(1_650);
            List<String> indexed = read(c, from, to);
            st.execute("SET enable_indexscan = off");
            st.execute("SET enable_bitmapscan = off");
            List<String> scanned = read(c, from, to);
            // Series 7 and 1500, each a sample every 10 s from 150 s to 1,640 s (10 samples a block of 100 s).
            assertThat(indexed).hasSize(2 * 150).isEqualTo(scanned);
            assertThat(indexed.get(0)).isEqualTo("7|" + (T0 + 150_000_000L) + "|7.0");
            assertThat(indexed.get(149)).isEqualTo("7|" + (T0 + 1_640_000_000L) + "|7.0");
        }
    }

    /**
     * A fresh database with the schema and 2,000 series' blocks over the hour, 36 each of 10 samples
     * (one every 10 s), in COPY's order: each flush's blocks by series.
     */
    private static Connection filled(String name) throws Exception {
        Connection c = TestDatabase.connect(TestDatabase.fresh(name));
        Schema.apply(c, "1 day", false);
        try (Statement st = c.createStatement()) {
            st.execute("INSERT INTO samples_blocks SELECT s, t, t + 90000000, (SELECT array_agg(t + i * 10000000) FROM generate_series(0, 9) i),"
                    + " array_fill(s::float8, ARRAY[10]), NULL FROM generate_series(0::bigint, 35) k, generate_series(1, 2000) s,"
                    + " LATERAL (SELECT " + T0 + " + k * 100000000) x(t) ORDER BY k, s");
        }
        return c;
    }

    private static String plan(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("EXPLAIN " + SERIES_HOUR)) {
            bind(c, ps, HOUR_START, HOUR_START.plusHours(1));
            return lines(ps);
        }
    }

    private static String lines(PreparedStatement ps) throws SQLException {
        StringBuilder out = new StringBuilder();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.append(rs.getString(1)).append('\n');
            }
        }
        return out.toString();
    }

    /** Series 7 and 1500 in [from, to) as "series|micros|value". */
    private static List<String> read(Connection c, OffsetDateTime from, OffsetDateTime to) throws SQLException {
        List<String> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(SERIES_HOUR.replace("series_id, time,", "series_id, time_to_unix_micros(time),"))) {
            bind(c, ps, from, to);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getInt(1) + "|" + rs.getLong(2) + "|" + rs.getDouble(3));
                }
            }
        }
        return out;
    }

    private static void bind(Connection c, PreparedStatement ps, OffsetDateTime from, OffsetDateTime to) throws SQLException {
        Array series = c.createArrayOf("int4", new Integer[] {7, 1500});
        ps.setObject(1, from);
        ps.setObject(2, to);
        ps.setArray(3, series);
    }
}
