package io.sluice.server.query;

import io.sluice.storage.query.SeriesScope;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class AnswerCacheKeyTest {
    @Test
    void credentialsNeverBecomePartOfTheKey() {
        String k = AnswerCache.key(SeriesScope.ALL, "/v1/query?metric=cpu&u=me&p=secret-token&end=1h&token=t2");
        assertThat(k).isEqualTo("sluice:answer:/v1/query?metric=cpu&end=1h").doesNotContain("secret");
        assertThat(AnswerCache.key(SeriesScope.ALL, "/v1/query?p=x")).isEqualTo("sluice:answer:/v1/query");
        assertThat(AnswerCache.key(SeriesScope.ALL, "/api/hosts")).isEqualTo("sluice:answer:/api/hosts");
    }

    @Test
    void tenantsNeverShareAnAnswer() {
        String uri = "/v1/query?metric=cpu&start=1d";
        assertThat(AnswerCache.key(SeriesScope.of(Map.of("tenant", "a")), uri))
                .isNotEqualTo(AnswerCache.key(SeriesScope.of(Map.of("tenant", "b")), uri))
                .isNotEqualTo(AnswerCache.key(SeriesScope.ALL, uri));
    }

    @Test
    void encodedValuesStayEncodedSoTwoQueriesCannotCollide() {
        assertThat(AnswerCache.key(SeriesScope.ALL, "/v1/query?metric=a%26host%3Db"))
                .isNotEqualTo(AnswerCache.key(SeriesScope.ALL, "/v1/query?metric=a&host=b"));
    }
}
