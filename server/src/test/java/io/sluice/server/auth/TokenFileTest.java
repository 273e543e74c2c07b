package io.sluice.server.auth;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class TokenFileTest {
    static final String SECRET = "s3cret-token-for-tests-0001";

    static TokenFile.Contents parse(String toml) throws TokenFile.Invalid {
        return TokenFile.parse(toml.getBytes(StandardCharsets.UTF_8));
    }

    static TokenFile.Invalid invalid(String toml) {
        return catchThrowableOfType(TokenFile.Invalid.class, () -> parse(toml));
    }

    @Test
    void readsEveryFieldOfATokenAndTheAnonymousEntry() throws Exception {
        TokenFile.Contents c = parse("""
                [[token]]
                name = "telegraf"
                secret = "%s"
                scopes = ["write", "read"]
                tenant_tags = { tenant = "a", team = "x" }
                samples_per_second = 50000
                requests_per_second = 2.5

                [[token]]
                name = "grafana"
                secret_sha256 = "%s"
                scopes = ["read"]

                [anonymous]
                scopes = ["read"]
                tenant_tags = { tenant = "public" }
                """.formatted(SECRET, HexFormat.of().formatHex(TokenFile.sha256("another-secret-of-grafana"))));
        assertThat(c.tokens()).hasSize(2);
        Token t = c.tokens().get(0);
        assertThat(t.name()).isEqualTo("telegraf");
        assertThat(t.sha256()).isEqualTo(TokenFile.sha256(SECRET));
        assertThat(t.scopes()).isEqualTo(Set.of(Scope.WRITE, Scope.READ));
        assertThat(t.tenantTags()).isEqualTo(Map.of("tenant", "a", "team", "x"));
        assertThat(t.samplesPerSecond()).isEqualTo(50000);
        assertThat(t.requestsPerSecond()).isEqualTo(2.5);
        assertThat(c.tokens().get(1).sha256()).isEqualTo(TokenFile.sha256("another-secret-of-grafana"));
        assertThat(c.anonymous().scopes()).containsExactly(Scope.READ);
        assertThat(c.anonymous().tenantTags()).containsEntry("tenant", "public");
    }

    @Test
    void anEmptyFileGrantsNothing() throws Exception {
        TokenFile.Contents c = parse("");
        assertThat(c.tokens()).isEmpty();
        assertThat(c.anonymous()).isNull();
    }

    @Test
    void everyProblemIsReportedAtOnceNamingTheEntryAndKey() {
        TokenFile.Invalid e = invalid("""
                [[token]]
                name = "a"
                secret = "short"
                scopes = ["wirte"]

                [[token]]
                secret = "%s"
                scopes = ["read"]

                [[token]]
                name = "c"
                secret_sha256 = "abc"
                scopes = []
                tenant_tags = { tenant = 7 }
                samples_per_second = -1
                colour = "blue"

                [extra]
                x = 1
                """.formatted(SECRET));
        assertThat(e.problems()).contains(
                "token #1 (a): secret: must be a string of at least 16 characters",
                "token #1 (a): scopes: 'wirte' is not one of read, write, admin",
                "token #2: name: required, a non-empty string",
                "token #3 (c): secret_sha256: must be 64 hexadecimal digits (sha256sum of the secret)",
                "token #3 (c): scopes: required, a list of \"read\", \"write\" and \"admin\"",
                "token #3 (c): tenant_tags.tenant: must be a non-empty string (at most 1024 characters)",
                "token #3 (c): samples_per_second: must be a positive number",
                "unknown table or key 'extra' (expected [[token]] and [anonymous])");
        assertThat(e.problems()).anyMatch(p -> p.startsWith("token #3 (c): unknown key 'colour'"));
    }

    @Test
    void namesSecretsAndCertificateSubjectsAreUnique() {
        TokenFile.Invalid e = invalid("""
                [[token]]
                name = "a"
                secret = "%1$s"
                scopes = ["read"]
                [[token]]
                name = "a"
                secret = "%1$s"
                scopes = ["write"]
                [[token]]
                name = "c1"
                client_cert_subject = "CN=agent, O=Example"
                scopes = ["write"]
                [[token]]
                name = "c2"
                client_cert_subject = "cn=AGENT,o=example"
                scopes = ["write"]
                """.formatted(SECRET));
        assertThat(e.problems()).containsExactly("token a: the name is used twice", "token a: the same secret as another token",
                "token c2: client_cert_subject is used by another token");
    }

    @Test
    void noMessageQuotesASecretEvenOfAFileThatIsNotToml() {
        String secret = "do-not-print-me-0123456789";
        TokenFile.Invalid broken = invalid("[[token]]\nname = \"a\"\nsecret = \"" + secret + "\nscopes = [\"read\"]\n");
        assertThat(broken.getMessage()).startsWith("not valid TOML").doesNotContain(secret).doesNotContain("do-not");
        TokenFile.Invalid wrongType = invalid("[[token]]\nname = \"a\"\nsecret = \"" + secret + "\"\nscopes = \"read\"\n");
        assertThat(wrongType.getMessage()).doesNotContain(secret);
        TokenFile.Invalid both = invalid("[[token]]\nname = \"a\"\nsecret = \"" + secret + "\"\nsecret_sha256 = \""
                + HexFormat.of().formatHex(TokenFile.sha256(secret)) + "\"\nscopes = [\"read\"]\n");
        assertThat(both.getMessage()).doesNotContain(secret).doesNotContain(HexFormat.of().formatHex(TokenFile.sha256(secret)));
    }

    @Test
    void aTokenNeedsSomeWayToBePresented() {
        assertThat(invalid("[[token]]\nname = \"a\"\nscopes = [\"read\"]\n").problems())
                .containsExactly("token #1 (a): give secret, secret_sha256 or client_cert_subject");
        assertThatThrownBy(() -> parse("[[token]]\nname = \"a\"\nclient_cert_subject = \"not a name\"\nscopes = [\"read\"]\n"))
                .hasMessageContaining("client_cert_subject: not an X.500 name");
    }

    @Test
    void theHashOfAnEmptySecretIsRefused() {
        assertThat(invalid("[[token]]\nname = \"a\"\nsecret_sha256 = \"" + HexFormat.of().formatHex(TokenFile.sha256(""))
                + "\"\nscopes = [\"read\"]\n").problems()).containsExactly("token #1 (a): secret_sha256: is the hash of an empty secret");
    }

    @Test
    void tokenToStringNamesNoSecret() throws Exception {
        Token t = parse("[[token]]\nname = \"a\"\nsecret = \"" + SECRET + "\"\nscopes = [\"read\"]\n").tokens().get(0);
        assertThat(t.toString()).contains("a").doesNotContain(SECRET).doesNotContain(HexFormat.of().formatHex(t.sha256()));
    }
}
