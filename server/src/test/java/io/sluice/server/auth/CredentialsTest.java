package io.sluice.server.auth;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;

class CredentialsTest {
    static String presented(String uri, String authorization, boolean upgrade) {
        HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, uri);
        if (authorization != null) {
            r.headers().set("Authorization", authorization);
        }
        return Credentials.presented(r, new QueryStringDecoder(uri).parameters(), upgrade);
    }

    static String basic(String pair) {
        return "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
    }

    @ParameterizedTest
    @CsvSource({
            "Token abc-123, abc-123",
            "token   abc-123  , abc-123",
            "Bearer abc-123, abc-123",
            "BEARER abc-123, abc-123",
    })
    void tokenAndBearerSchemesInAnyCase(String header, String secret) {
        assertThat(presented("/write", header, false)).isEqualTo(secret);
    }

    @Test
    void basicCarriesTheTokenAsPasswordOrAsUserWhenThePasswordIsEmpty() {
        assertThat(presented("/write", basic("me:abc-123"), false)).isEqualTo("abc-123");
        assertThat(presented("/write", basic("me:a:b"), false)).isEqualTo("a:b");
        assertThat(presented("/write", basic("abc-123:"), false)).isEqualTo("abc-123");
    }

    @Test
    void unreadableHeadersAreMalformedNotAbsent() {
        assertThat(presented("/write", "Digest x=1", false)).isEqualTo(Credentials.MALFORMED);
        assertThat(presented("/write", "Token", false)).isEqualTo(Credentials.MALFORMED);
        assertThat(presented("/write", "Basic !!!", false)).isEqualTo(Credentials.MALFORMED);
        assertThat(presented("/write", basic("nocolon"), false)).isEqualTo(Credentials.MALFORMED);
        assertThat(presented("/write", basic(":"), false)).isEqualTo(Credentials.MALFORMED);
    }

    @Test
    void influxDb1QueryParametersAndTheWebSocketTokenParameter() {
        assertThat(presented("/write?db=x&u=me&p=abc-123", null, false)).isEqualTo("abc-123");
        assertThat(presented("/v1/live?token=abc-123", null, true)).isEqualTo("abc-123");
        assertThat(presented("/v1/query?token=abc-123", null, false)).as("token= only on upgrades").isNull();
        assertThat(presented("/write?u=me", null, false)).isNull();
        assertThat(presented("/write", null, false)).isNull();
    }

    @Test
    void theHeaderWinsOverQueryParameters() {
        assertThat(presented("/write?p=from-query", "Token from-header", false)).isEqualTo("from-header");
    }

    @Test
    void aTargetForLogsLosesEveryParameterThatMayCarryASecret() {
        assertThat(Credentials.withoutSecrets("/write?db=a&u=me&p=s3cret&precision=s")).isEqualTo("/write?db=a&precision=s");
        assertThat(Credentials.withoutSecrets("/v1/live?token=s3cret")).isEqualTo("/v1/live");
        assertThat(Credentials.withoutSecrets("/query?%70=s3cret&q=SHOW%20DATABASES&%zz=x"))
                .isEqualTo("/query?q=SHOW%20DATABASES");
        assertThat(Credentials.withoutSecrets("/-/healthy")).isEqualTo("/-/healthy");
        assertThat(Credentials.withoutSecrets("/write?p")).isEqualTo("/write");
    }
}
