package io.sluice.server.http;

import io.netty.handler.codec.http.HttpMethod;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RouterTest {
    private final RouteHandler a = ex -> { };
    private final RouteHandler b = ex -> { };

    @Test
    void literalAndCapturedSegmentsMatch() {
        Router r = new Router().get("/api/v1/runs/{run_id}/metrics/{name}", a).post("/write", b);
        Router.Match m = r.match(HttpMethod.GET, "/api/v1/runs/r-1/metrics/loss");
        assertThat(m.handler()).isSameAs(a);
        assertThat(m.params()).containsEntry("run_id", "r-1").containsEntry("name", "loss");
        assertThat(r.match(HttpMethod.POST, "/write/").handler()).isSameAs(b);
    }

    @Test
    void aKnownPathWithTheWrongMethodListsTheAllowedOnes() {
        Router r = new Router().post("/write", a);
        Router.Match m = r.match(HttpMethod.GET, "/write");
        assertThat(m.found()).isFalse();
        assertThat(m.pathExists()).isTrue();
        assertThat(m.allowed()).containsExactly(HttpMethod.POST);
    }

    @Test
    void unknownPathsAndEmptyCapturesDoNotMatch() {
        Router r = new Router().get("/api/metrics/{name}", a);
        assertThat(r.match(HttpMethod.GET, "/api/metrics/").pathExists()).isFalse();
        assertThat(r.match(HttpMethod.GET, "/api/metrics/x/y").pathExists()).isFalse();
        assertThat(r.match(HttpMethod.GET, "/").pathExists()).isFalse();
    }

    @Test
    void headIsAnsweredByTheGetRoute() {
        Router r = new Router().get("/health", a);
        assertThat(r.match(HttpMethod.HEAD, "/health").handler()).isSameAs(a);
    }
}
