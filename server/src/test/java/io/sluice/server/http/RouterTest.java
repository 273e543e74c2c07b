package io.sluice.server.http;

import io.netty.handler.codec.http.HttpMethod;
import io.sluice.server.auth.Scope;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RouterTest {
    private final RouteHandler a = ex -> { };
    private final RouteHandler b = ex -> { };

    @Test
    void literalAndCapturedSegmentsMatch() {
        Router r = new Router().get("/api/v1/runs/{run_id}/metrics/{name}", Scope.READ, a).post("/write", Scope.WRITE, b);
        Router.Match m = r.match(HttpMethod.GET, "/api/v1/runs/r-1/metrics/loss");
        assertThat(m.handler()).isSameAs(a);
        assertThat(m.scope()).isEqualTo(Scope.READ);
        assertThat(m.params()).containsEntry("run_id", "r-1").containsEntry("name", "loss");
        assertThat(r.match(HttpMethod.POST, "/write/").handler()).isSameAs(b);
    }

    @Test
    void aKnownPathWithTheWrongMethodListsTheAllowedOnes() {
        Router r = new Router().post("/write", Scope.WRITE, a);
        Router.Match m = r.match(HttpMethod.GET, "/write");
        assertThat(m.found()).isFalse();
        assertThat(m.pathExists()).isTrue();
        assertThat(m.allowed()).containsExactly(HttpMethod.POST);
    }

    @Test
    void unknownPathsAndEmptyCapturesDoNotMatch() {
        Router r = new Router().get("/api/metrics/{name}", Scope.READ, a);
        assertThat(r.match(HttpMethod.GET, "/api/metrics/").pathExists()).isFalse();
        assertThat(r.match(HttpMethod.GET, "/api/metrics/x/y").pathExists()).isFalse();
        assertThat(r.match(HttpMethod.GET, "/").pathExists()).isFalse();
    }

    @Test
    void aRouteWithoutAScopeIsRefusedWhenAdded() {
        assertThatThrownBy(() -> new Router().get("/x", null, a)).hasMessageContaining("needs a scope");
    }

    @Test
    void headIsAnsweredByTheGetRoute() {
        Router r = new Router().get("/health", Scope.OPEN, a);
        assertThat(r.match(HttpMethod.HEAD, "/health").handler()).isSameAs(a);
    }
}
