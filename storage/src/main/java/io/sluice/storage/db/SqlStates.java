package io.sluice.storage.db;

import java.sql.SQLException;

/**
 * What a database error means for its caller, from its SQLSTATE (PostgreSQL manual, appendix A
 * "PostgreSQL Error Codes"): worth retrying, the request's own data, or neither.
 */
public final class SqlStates {
    private SqlStates() {
    }

    /**
     * The first SQLSTATE along the exception's chain (a pool wraps the driver's error; a batch
     * reports it as the next exception), or null.
     */
    public static String of(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s) {
                if (s.getSQLState() != null) {
                    return s.getSQLState();
                }
                SQLException next = s.getNextException();
                if (next != null && next != s && next.getSQLState() != null) {
                    return next.getSQLState();
                }
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return null;
    }

    /**
     * Connection trouble (class 08), the server shutting down or restarting (57P), too many
     * connections or out of resources (53), serialization failures and deadlocks (40); and no
     * state at all (a pool's timeout waiting for a connection: starved or unreachable). All pass.
     */
    public static boolean isTransient(SQLException e) {
        String state = of(e);
        return state == null || state.startsWith("08") || state.startsWith("57P") || state.startsWith("53")
                || state.startsWith("40");
    }

    /** The database reached and refusing a value: a data exception (class 22) or an integrity violation (23). */
    public static boolean isClientData(SQLException e) {
        String state = of(e);
        return state != null && (state.startsWith("22") || state.startsWith("23"));
    }

    /**
     * No answer came from the database: the connection was lost or unusable ({@link #isUnreachable}),
     * the driver gave no SQLSTATE, or an I/O error lies beneath. A statement that failed so may
     * have been carried out; one the database answered with an error was not.
     */
    public static boolean isUnanswered(SQLException e) {
        if (of(e) == null || isUnreachable(e)) {
            return true;
        }
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof java.io.IOException) {
                return true;
            }
        }
        return false;
    }

    /**
     * The database could not be reached or used: connection trouble (08), shutting down (57P),
     * out of connections or resources (53). A pool's timeout counts only when it carries such a
     * cause: a starved pool says nothing about the database.
     */
    public static boolean isUnreachable(SQLException e) {
        String state = of(e);
        return state != null && (state.startsWith("08") || state.startsWith("57P") || state.startsWith("53"));
    }
}
