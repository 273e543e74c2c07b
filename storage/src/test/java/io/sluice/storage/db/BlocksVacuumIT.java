package io.sluice.storage.db;

import io.sluice.storage.TestDatabase;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Schema step 013 (schema/013_blocks_vacuum.postgres.sql): no insert-driven autovacuum of the
 * hot blocks, no statistics of their arrays; on a new database and on one made before the step.
 */
class BlocksVacuumIT {
    @Test
    void theBlocksGetNoInsertVacuumAndNoArrayStatisticsOnANewDatabaseAndOnUpgrade() throws Exception {
        DatabaseUrl url = TestDatabase.fresh("blocks_vacuum");
        try (Connection c = TestDatabase.connect(url)) {
            assertThat(Schema.apply(c, "1 day", false)).isEqualTo(Schema.Flavor.POSTGRES);
            assertSettings(c);

            // A database of the step before: its blocks as they were made, the step not recorded.
            try (Statement st = c.createStatement()) {
                st.execute("ALTER TABLE samples_blocks RESET (autovacuum_vacuum_insert_threshold)");
                st.execute("ALTER TABLE samples_blocks ALTER COLUMN times SET STATISTICS -1,"
                        + " ALTER COLUMN vals SET STATISTICS -1, ALTER COLUMN steps SET STATISTICS -1");
                st.execute("DELETE FROM sluice_schema WHERE step = '013_blocks_vacuum'");
            }
            assertThat(reloptions(c)).isNull();
            Schema.apply(c, "1 day", false);
            assertSettings(c);
        }
    }

    private static void assertSettings(Connection c) throws SQLException {
        assertThat(reloptions(c)).isEqualTo("{autovacuum_vacuum_insert_threshold=-1}");
        Map<String, Integer> targets = new HashMap<>();
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT attname, coalesce(attstattarget, -1) FROM pg_attribute"
                     + " WHERE attrelid = 'samples_blocks'::regclass AND attnum > 0 AND NOT attisdropped")) {
            while (rs.next()) {
                targets.put(rs.getString(1), rs.getInt(2));
            }
        }
        assertThat(targets).containsEntry("times", 0).containsEntry("vals", 0).containsEntry("steps", 0)
                .containsEntry("series_id", -1).containsEntry("time_min", -1).containsEntry("time_max", -1);
    }

    private static String reloptions(Connection c) throws SQLException {
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT reloptions::text FROM pg_class WHERE oid = 'samples_blocks'::regclass")) {
            rs.next();
            return rs.getString(1);
        }
    }
}
