package io.sluice.server.auth;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class OriginsTest {
    static HttpRequest request(HttpMethod m, String host, String origin) {
        HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, m, "/write");
        if (host != null) {
            r.headers().set("Host", host);
        }
        if (origin != null) {
            r.headers().set("Origin", origin);
        }
        return r;
    }

    @ParameterizedTest
    @CsvSource({
            "http://localhost:8080, localhost:8080, true",
            "http://LOCALHOST:8080, localhost:8080, true",
            "https://metrics.example.com, metrics.example.com, true",
            "https://metrics.example.com, metrics.example.com:443, true",
            "http://metrics.example.com, metrics.example.com:80, true",
            "http://metrics.example.com:8080, metrics.example.com, true",
            "http://evil.example, localhost:8080, false",
            "http://localhost:9999, localhost:8080, false",
            "https://metrics.example.com, metrics.example.com:8443, false",
            "null, localhost:8080, false",
            "http://[::1]:8080, [::1]:8080, true",
    })
    void sameOriginComparesHostAndPort(String origin, String host, boolean same) {
        assertThat(Origins.sameOrigin(origin, host)).isEqualTo(same);
    }

    @Test
    void verdicts() {
        Origins o = new Origins(List.of("https://grafana.example.com/", "HTTP://Dash.Example:3000"));
        assertThat(o.judge(request(HttpMethod.POST, "localhost:8080", null))).isEqualTo(Origins.Verdict.NO_ORIGIN);
        assertThat(o.judge(request(HttpMethod.POST, "localhost:8080", "http://localhost:8080"))).isEqualTo(Origins.Verdict.SAME_ORIGIN);
        assertThat(o.judge(request(HttpMethod.POST, "localhost:8080", "https://grafana.example.com"))).isEqualTo(Origins.Verdict.ALLOWED);
        assertThat(o.judge(request(HttpMethod.POST, "localhost:8080", "http://dash.example:3000"))).isEqualTo(Origins.Verdict.ALLOWED);
        assertThat(o.judge(request(HttpMethod.POST, "localhost:8080", "http://evil.example"))).isEqualTo(Origins.Verdict.REFUSED);
        assertThat(o.judge(request(HttpMethod.POST, null, "http://localhost:8080"))).isEqualTo(Origins.Verdict.REFUSED);
        assertThat(new Origins(List.of("*")).judge(request(HttpMethod.GET, "a:1", "http://evil.example")))
                .isEqualTo(Origins.Verdict.ALLOWED);
    }

    @Test
    void preflightsAndTheirHeaders() {
        HttpRequest pre = request(HttpMethod.OPTIONS, "localhost:8080", "https://grafana.example.com");
        assertThat(Origins.isPreflight(pre)).isFalse();
        pre.headers().set("Access-Control-Request-Method", "POST");
        pre.headers().set("Access-Control-Request-Headers", "authorization, content-type");
        assertThat(Origins.isPreflight(pre)).isTrue();
        HttpHeaders out = new DefaultHttpHeaders();
        Origins.preflightHeaders(pre, out);
        assertThat(out.get("Access-Control-Allow-Origin")).isEqualTo("https://grafana.example.com");
        assertThat(out.get("Access-Control-Allow-Methods")).contains("POST");
        assertThat(out.get("Access-Control-Allow-Headers")).isEqualTo("authorization, content-type");
        assertThat(out.getAll("Vary")).contains("Origin");
    }
}
