package io.sluice.server.auth;

import io.sluice.storage.metrics.Metrics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TokenStoreTest {
    static final String A = "secret-of-token-a-000000";
    static final String B = "secret-of-token-b-000000";

    @TempDir
    Path dir;

    static String token(String name, String secret, String scopes, String extra) {
        return "[[token]]\nname = \"" + name + "\"\nsecret = \"" + secret + "\"\nscopes = [" + scopes + "]\n" + extra + "\n";
    }

    @Test
    void findsTheTokenOfASecretAndNoneForAnyOther() throws Exception {
        Path f = dir.resolve("tokens.toml");
        Files.writeString(f, token("a", A, "\"write\"", "tenant_tags = { tenant = \"a\" }")
                + token("b", B, "\"read\"", "") + "[anonymous]\nscopes = [\"read\"]\n");
        Tokens t = TokenStore.load(f, new Metrics()).current();
        Principal a = t.bySecret(A);
        assertThat(a.name()).isEqualTo("a");
        assertThat(a.allows(Scope.WRITE)).isTrue();
        assertThat(a.allows(Scope.READ)).isFalse();
        assertThat(a.allows(Scope.OPEN)).isTrue();
        assertThat(a.reads().required()).containsEntry("tenant", "a");
        assertThat(a.writes().tags()).containsEntry("tenant", "a");
        assertThat(t.bySecret(B).name()).isEqualTo("b");
        assertThat(t.bySecret(A + "x")).isNull();
        assertThat(t.bySecret(A.substring(1))).isNull();
        assertThat(t.bySecret("")).isNull();
        assertThat(t.anonymous().kind()).isEqualTo(Principal.Kind.ANONYMOUS);
        assertThat(t.anonymous().allows(Scope.READ)).isTrue();
    }

    @Test
    void aChangedFileIsPutInForceAndAnInvalidOneLeavesThePreviousTokens() throws Exception {
        Path f = dir.resolve("tokens.toml");
        Files.writeString(f, token("a", A, "\"read\"", ""));
        Metrics m = new Metrics();
        TokenStore store = TokenStore.load(f, m);
        store.reloadIfChanged();
        assertThat(m.value("sluice_auth_token_file_loads_total", "result", "loaded")).isEqualTo(1);

        Files.writeString(f, token("a", A, "\"read\"", "") + token("b", B, "\"write\"", ""));
        store.reloadIfChanged();
        assertThat(store.current().bySecret(B).name()).isEqualTo("b");

        Files.writeString(f, token("a", A, "\"rread\"", ""));
        store.reloadIfChanged();
        store.reloadIfChanged(); // the same broken content is refused once, not every poll
        assertThat(store.current().bySecret(B)).isNotNull();
        assertThat(m.value("sluice_auth_token_file_loads_total", "result", "refused")).isEqualTo(1);

        Files.delete(f); // an editor between delete and write: nothing changes
        store.reloadIfChanged();
        assertThat(store.current().bySecret(A)).isNotNull();
    }

    @Test
    void aReloadKeepsTheRateStateOfTokensWhoseLimitsDidNotChange() throws Exception {
        Path f = dir.resolve("tokens.toml");
        Files.writeString(f, token("a", A, "\"write\"", "requests_per_second = 1"));
        TokenStore store = TokenStore.load(f, new Metrics());
        long now = System.nanoTime();
        assertThat(store.current().bySecret(A).requests().tryTake(1, now)).isZero();
        assertThat(store.current().bySecret(A).requests().tryTake(1, now)).isPositive();

        Files.writeString(f, token("a", A, "\"write\", \"read\"", "requests_per_second = 1"));
        store.reloadIfChanged();
        assertThat(store.current().bySecret(A).allows(Scope.READ)).isTrue();
        assertThat(store.current().bySecret(A).requests().tryTake(1, now)).isPositive();

        Files.writeString(f, token("a", A, "\"write\"", "requests_per_second = 5"));
        store.reloadIfChanged();
        assertThat(store.current().bySecret(A).requests().tryTake(1, now)).isZero();
    }

    @Test
    void startUpFailsOnAnInvalidOrMissingFile() throws Exception {
        Path f = dir.resolve("tokens.toml");
        Files.writeString(f, token("a", "short", "\"read\"", ""));
        assertThatThrownBy(() -> TokenStore.load(f, new Metrics())).isInstanceOf(TokenFile.Invalid.class)
                .hasMessageContaining("secret: must be a string of at least 16 characters");
        assertThatThrownBy(() -> TokenStore.load(dir.resolve("none.toml"), new Metrics()))
                .isInstanceOf(java.io.IOException.class);
    }
}
