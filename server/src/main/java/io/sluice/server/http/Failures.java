package io.sluice.server.http;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketHandshakeException;
import io.sluice.server.auth.Credentials;
import io.sluice.storage.log.ErrorIds;
import io.sluice.storage.log.RateLimitedLog;
import io.sluice.storage.db.SqlStates;
import io.sluice.storage.query.QueryService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.SQLException;
import java.util.Map;

/**
 * Turns what a handler threw into its answer (README "Answers"). The client's mistakes keep their
 * precise reason: a bad parameter, a value the database refused (SQLSTATE class 22, data
 * exception, or 23, integrity violation: 400, never retried). Sluice's own faults answer a stable
 * message and an error id, and the log line with the same id holds the details: a database that
 * does not answer is 503 with Retry-After, anything else 500 with its stack trace in the log.
 * Storms (a database gone, a client sending what the database refuses) are one line per ten
 * seconds, whose id the answers meanwhile share.
 */
public final class Failures {
    private static final Logger log = LoggerFactory.getLogger(Failures.class);
    private static final RateLimitedLog unavailable = new RateLimitedLog(log, 10_000);
    private static final RateLimitedLog refused = new RateLimitedLog(log, 10_000);

    private Failures() {
    }

    public static void answer(Exchange ex, Throwable e) {
        if (e instanceof BadRequest || e instanceof QueryService.TooLarge) {
            ex.error(HttpResponseStatus.BAD_REQUEST, "invalid", e.getMessage());
        } else if (e instanceof WebSocketHandshakeException) {
            // The pipeline may already be half switched: answer, then close.
            ex.errorAndClose(HttpResponseStatus.BAD_REQUEST, "invalid", "WebSocket handshake refused: " + e.getMessage());
        } else if (e instanceof SQLException sql) {
            database(ex, sql);
        } else {
            String id = ErrorIds.next();
            log.error("request failed [errorId={}, method={}, uri={}]", id, ex.request().method(), loggable(ex), e);
            ex.serverError(id);
        }
    }

    private static void database(Exchange ex, SQLException e) {
        String state = SqlStates.of(e);
        if (SqlStates.isClientData(e)) {
            String id = refused.warnWithId("the database refused a value of a request, answering 400 [errorId={}, method={},"
                    + " uri={}, sqlState={}, error={}]", ex.request().method(), loggable(ex), state, e.getMessage());
            ex.error(HttpResponseStatus.BAD_REQUEST, "invalid", "the database refused a value of this request (SQLSTATE "
                    + state + "); error id " + id, Map.of("error_id", id));
        } else if (SqlStates.isTransient(e)) {
            String id = unavailable.warnWithId("database unavailable, answering 503 [errorId={}, uri={}, sqlState={}, error={}]",
                    loggable(ex), state, e.toString());
            ex.unavailable("database unavailable; retry later (error id " + id + ")", 5, Map.of("error_id", id));
        } else {
            String id = ErrorIds.next();
            log.error("database error [errorId={}, method={}, uri={}, sqlState={}]", id, ex.request().method(),
                    loggable(ex), state, e);
            ex.serverError(id);
        }
    }

    /** The request's target as a log may hold it: without the parameters that can carry a token. */
    private static String loggable(Exchange ex) {
        return Credentials.withoutSecrets(ex.request().uri());
    }
}
