package io.sluice.agent.send;

import org.junit.jupiter.api.Test;

import javax.net.ssl.SSLSession;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class OutcomeTest {
    /** An answer as the JDK client hands it over. */
    private static HttpResponse<String> answer(int status, String body) {
        return new HttpResponse<>() {
            public int statusCode() {
                return status;
            }

            public HttpRequest request() {
                return HttpRequest.newBuilder(URI.create("http://x/")).build();
            }

            public Optional<HttpResponse<String>> previousResponse() {
                return Optional.empty();
            }

            public HttpHeaders headers() {
                return HttpHeaders.of(Map.of(), (a, b) -> true);
            }

            public String body() {
                return body;
            }

            public Optional<SSLSession> sslSession() {
                return Optional.empty();
            }

            public URI uri() {
                return URI.create("http://x/");
            }

            public HttpClient.Version version() {
                return HttpClient.Version.HTTP_1_1;
            }
        };
    }

    @Test
    void sluices503StoredNothingSoTheBatchIsSentAgainWithoutAskingFirst() {
        Outcome o = Outcome.of(answer(503, "{\"code\":\"unavailable\",\"queued\":0,\"not_queued\":1000}"), 1000);
        assertThat(o.kind()).isEqualTo(Outcome.Kind.NOT_STORED);
        assertThat(o.done()).isZero();
    }

    @Test
    void a503OrA5xxThatSaysNothingLeavesTheOutcomeUnknown() {
        assertThat(Outcome.of(answer(503, "<html>proxy</html>"), 10).kind()).isEqualTo(Outcome.Kind.UNCERTAIN);
        assertThat(Outcome.of(answer(500, "{\"code\":\"internal error\"}"), 10).kind()).isEqualTo(Outcome.Kind.UNCERTAIN);
    }

    @Test
    void refusalsAreToldApart() {
        Outcome partial = Outcome.of(answer(400, "{\"accepted\":8,\"rejected\":2}"), 10);
        assertThat(partial.kind()).isEqualTo(Outcome.Kind.REJECTED);
        assertThat(partial.rejected()).isEqualTo(2);
        assertThat(partial.done()).isEqualTo(10);
        assertThat(Outcome.of(answer(404, "{}"), 10).kind()).isEqualTo(Outcome.Kind.NOT_FOUND);
        assertThat(Outcome.of(answer(401, "{}"), 10).kind()).isEqualTo(Outcome.Kind.NOT_STORED);
        assertThat(Outcome.of(answer(413, "{}"), 10).kind()).isEqualTo(Outcome.Kind.TOO_LARGE);
        assertThat(Outcome.of(answer(409, "{\"code\":\"conflict\"}"), 10).kind()).as("an earlier send with the key runs")
                .isEqualTo(Outcome.Kind.IN_PROGRESS);
        assertThat(Outcome.of(answer(204, ""), 10).done()).isEqualTo(10);
    }

    @Test
    void noConnectionStoredNothingButALostAnswerMayHave() {
        assertThat(Outcome.of(new ConnectException("refused")).kind()).isEqualTo(Outcome.Kind.NOT_STORED);
        assertThat(Outcome.of(new IOException("wrapped", new ConnectException())).kind()).isEqualTo(Outcome.Kind.NOT_STORED);
        assertThat(Outcome.of(new HttpTimeoutException("request timed out")).kind()).isEqualTo(Outcome.Kind.UNCERTAIN);
        assertThat(Outcome.of(new IOException("Connection reset")).kind()).isEqualTo(Outcome.Kind.UNCERTAIN);
    }
}
