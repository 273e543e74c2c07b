package io.sluice.server.auth;

import io.sluice.server.config.WatchedFile;
import io.sluice.storage.metrics.Counter;
import io.sluice.storage.metrics.Metrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The tokens in force, read from {@code auth_tokens_file} at start and again whenever its content
 * changes ({@link #reloadIfChanged}, called every few seconds). A file that no longer parses is
 * logged and the previous tokens stay in force. Logs name tokens and counts, never a secret.
 */
public final class TokenStore {
    private static final Logger log = LoggerFactory.getLogger(TokenStore.class);

    private final WatchedFile file;
    private final Counter reloaded;
    private final Counter refused;
    private volatile Tokens current;

    private TokenStore(WatchedFile file, Metrics metrics) {
        this.file = file;
        this.reloaded = metrics.counter("sluice_auth_token_file_loads_total",
                "Times the token file was read and put in force, or refused, by result.", "result", "loaded");
        this.refused = metrics.counter("sluice_auth_token_file_loads_total",
                "Times the token file was read and put in force, or refused, by result.", "result", "refused");
    }

    /**
     * Reads the file once; start-up fails on a problem.
     *
     * @throws TokenFile.Invalid naming every problem
     * @throws IOException       when the file cannot be read
     */
    public static TokenStore load(Path path, Metrics metrics) throws TokenFile.Invalid, IOException {
        TokenStore s = new TokenStore(new WatchedFile(path), metrics);
        s.current = new Tokens(TokenFile.parse(s.file.changed()), null);
        s.reloaded.inc();
        s.describe("tokens loaded");
        return s;
    }

    public Tokens current() {
        return current;
    }

    /** Puts a changed file in force; keeps the tokens in force when it cannot be read or parsed. */
    public void reloadIfChanged() {
        byte[] content;
        try {
            content = file.changed();
        } catch (IOException e) {
            // Often a moment between an editor's delete and write; the next poll sees the file.
            log.debug("token file not readable now [file={}, error={}]", file.path(), e.toString());
            return;
        }
        if (content == null) {
            return;
        }
        try {
            current = new Tokens(TokenFile.parse(content), current);
            reloaded.inc();
            describe("token file changed: new tokens in force");
        } catch (TokenFile.Invalid e) {
            refused.inc();
            log.error("token file changed but is not valid; the previous tokens stay in force [file={}, problems={}]",
                    file.path(), e.problems());
        }
    }

    private void describe(String what) {
        Tokens t = current;
        List<String> names = t.entries().stream().map(Token::name).toList();
        log.info("{} [file={}, tokens={}, names={}, anonymous={}]", what, file.path(), names.size(), names,
                t.anonymousEntry() == null ? "none" : t.anonymousEntry().scopes());
    }
}
