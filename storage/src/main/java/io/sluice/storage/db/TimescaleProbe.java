package io.sluice.storage.db;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;

/**
 * Whether Sluice can use TimescaleDB on a server, from what the catalogue says, without trying:
 * {@code CREATE EXTENSION timescaledb} on a server that has the package installed but does not
 * preload its library fails with FATAL {@code extension "timescaledb" must be preloaded}, which
 * ends the session (and HikariCP marks a connection broken on it). That is the state right after
 * installing the package.
 *
 * @param available      {@code pg_available_extensions} lists timescaledb (its files are installed)
 * @param created        the extension is already created in this database
 * @param preload        {@code shared_preload_libraries}, or null when this role may not read it
 *                       (it needs {@code pg_read_all_settings})
 * @param loaderSettings settings named {@code timescaledb.*} exist: they are defined only by the
 *                       loaded library, never by a placeholder ({@code pg_settings} omits those),
 *                       and readable by every role
 */
public record TimescaleProbe(boolean available, boolean created, String preload, boolean loaderSettings) {
    public enum Verdict {
        /** Use TimescaleDB. */
        USE,
        /** Not installed on the server: plain PostgreSQL, nothing to say. */
        ABSENT,
        /** Installed but its library is not preloaded: plain PostgreSQL, and say how to enable it. */
        NOT_PRELOADED
    }

    /** Reads the facts in one query; any role can run it. */
    public static TimescaleProbe read(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb'),"
                        + " EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'timescaledb'),"
                        + " (SELECT setting FROM pg_settings WHERE name = 'shared_preload_libraries'),"
                        + " EXISTS (SELECT 1 FROM pg_settings WHERE name LIKE 'timescaledb.%')")) {
            rs.next();
            return new TimescaleProbe(rs.getBoolean(1), rs.getBoolean(2), rs.getString(3), rs.getBoolean(4));
        }
    }

    public Verdict verdict() {
        if (created) {
            return Verdict.USE;
        }
        if (!available) {
            return Verdict.ABSENT;
        }
        return loaderSettings || preloads(preload) ? Verdict.USE : Verdict.NOT_PRELOADED;
    }

    /**
     * Whether a {@code shared_preload_libraries} value names timescaledb: a comma-separated list
     * whose items may be quoted and may be paths ({@code $libdir/timescaledb}, {@code timescaledb.so}).
     */
    static boolean preloads(String list) {
        if (list == null) {
            return false;
        }
        for (String item : list.split(",")) {
            String name = item.trim().replace("\"", "").replace("'", "");
            name = name.substring(name.lastIndexOf('/') + 1).toLowerCase(Locale.ROOT);
            if (name.equals("timescaledb") || name.equals("timescaledb.so")) {
                return true;
            }
        }
        return false;
    }
}
