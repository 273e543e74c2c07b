package io.sluice.server.net;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import io.sluice.storage.metrics.Metrics;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class ConnectionClockTest {
    static final long HEADER_MS = 10_000;
    static final long IDLE_MS = 60_000;

    Metrics metrics;
    ConnectionClock.Settings settings;
    EmbeddedChannel ch;

    @BeforeEach
    void open() {
        metrics = new Metrics();
        settings = new ConnectionClock.Settings(TimeUnit.MILLISECONDS.toNanos(HEADER_MS), TimeUnit.MILLISECONDS.toNanos(IDLE_MS),
                1000, metrics.counter("closed", "", "reason", "header"), metrics.counter("closed", "", "reason", "body"),
                metrics.counter("closed", "", "reason", "idle"));
        ConnectionClock clock = new ConnectionClock(settings);
        ch = new EmbeddedChannel();
        ch.freezeTime();
        ch.pipeline().addLast(clock.bytesIn(), new HttpServerCodec(), clock);
    }

    @AfterEach
    void close() {
        ch.finishAndReleaseAll();
    }

    void send(String s) {
        ch.writeInbound(Unpooled.copiedBuffer(s, StandardCharsets.US_ASCII));
        Object o;
        while ((o = ch.readInbound()) != null) {
            assertThat(o).isInstanceOf(HttpObject.class);
            ReferenceCountUtil.release(o);
        }
    }

    void advance(long ms) {
        ch.advanceTimeBy(ms, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        ch.runPendingTasks();
    }

    String written() {
        StringBuilder sb = new StringBuilder();
        Object o;
        while ((o = ch.readOutbound()) != null) {
            sb.append(((ByteBuf) o).toString(StandardCharsets.US_ASCII));
            ReferenceCountUtil.release(o);
        }
        return sb.toString();
    }

    void answer(HttpResponseStatus status) {
        DefaultFullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status);
        r.headers().set("Content-Length", 0);
        ch.writeOutbound(r);
        written();
    }

    long count(String reason) {
        return metrics.value("closed", "reason", reason);
    }

    @Test
    void aConnectionThatSendsNothingIsAnswered408AtTheHeaderTimeout() {
        advance(HEADER_MS - 1);
        assertThat(ch.isOpen()).isTrue();
        advance(1);
        assertThat(written()).startsWith("HTTP/1.1 408 Request Timeout").contains("http_header_timeout");
        assertThat(ch.isOpen()).isFalse();
        assertThat(count("header")).isEqualTo(1);
    }

    @Test
    void headersDrippedSlowerThanTheTimeoutLoseTheConnection() {
        for (int i = 0; i < 9; i++) {
            send("X-Drip-" + i + ": 1\r\n".substring(0, 1));
            advance(1_000);
        }
        assertThat(ch.isOpen()).isTrue();
        advance(1_000);
        assertThat(ch.isOpen()).isFalse();
        assertThat(count("header")).isEqualTo(1);
    }

    @Test
    void noDeadlineRunsWhileSluiceWorksThenTheIdleOneDoes() {
        send("POST /write HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc");
        advance(10 * IDLE_MS);
        assertThat(ch.isOpen()).isTrue();
        answer(HttpResponseStatus.NO_CONTENT);
        advance(IDLE_MS - 1);
        assertThat(ch.isOpen()).isTrue();
        advance(1);
        assertThat(ch.isOpen()).isFalse();
        assertThat(count("idle")).isEqualTo(1);
        assertThat(count("header")).isZero();
    }

    @Test
    void theFirstByteOfTheNextRequestStartsItsHeaderDeadline() {
        send("GET /a HTTP/1.1\r\nHost: x\r\n\r\n");
        answer(HttpResponseStatus.OK);
        advance(30_000);
        send("GET /b HTTP/1.1\r\n");
        advance(HEADER_MS - 1);
        assertThat(ch.isOpen()).isTrue();
        advance(1);
        assertThat(ch.isOpen()).isFalse();
        assertThat(count("header")).isEqualTo(1);
    }

    @Test
    void aBodyMustKeepUpTheFloorRateAfterItsGrace() {
        send("POST /write HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n");
        // 1000 bytes a second is the floor: 5000 bytes buy five seconds past the grace.
        send("x".repeat(5000));
        advance(HEADER_MS + 4_999);
        assertThat(ch.isOpen()).isTrue();
        advance(1);
        assertThat(written()).startsWith("HTTP/1.1 408").contains("http_body_min_rate");
        assertThat(ch.isOpen()).isFalse();
        assertThat(count("body")).isEqualTo(1);
    }

    @Test
    void aSteadyBodyIsNeverCutOff() {
        send("POST /write HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n");
        for (int i = 0; i < 60; i++) {
            send("x".repeat(1500));
            advance(1_000);
        }
        assertThat(ch.isOpen()).isTrue();
    }

    @Test
    void aWebSocketUpgradeTakesTheClockOut() {
        send("GET /v1/live HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n");
        answer(HttpResponseStatus.SWITCHING_PROTOCOLS);
        assertThat(ch.pipeline().get(ConnectionClock.class)).isNull();
        advance(10 * IDLE_MS);
        assertThat(ch.isOpen()).isTrue();
    }

    @Test
    void aContinueDoesNotEndTheRequest() {
        send("POST /write HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n");
        answer(HttpResponseStatus.CONTINUE);
        advance(HEADER_MS - 1);
        assertThat(ch.isOpen()).isTrue();
        advance(1);
        assertThat(ch.isOpen()).as("the body never came").isFalse();
        assertThat(count("body")).isEqualTo(1);
    }
}
