package io.sluice.server.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.flow.FlowControlHandler;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Answers leave in request order; reading pauses past the in-flight limit and resumes. */
class HttpPipeliningTest {
    /** Takes requests and keeps them unanswered, as a handler waiting on a commit does. */
    static final class Pending extends ChannelInboundHandlerAdapter {
        final List<HttpPipelining.Sequenced<?>> requests = new ArrayList<>();
        /** What arrives once the pipelining handler is gone (after an upgrade). */
        final List<Object> others = new ArrayList<>();
        ChannelHandlerContext ctx;

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            this.ctx = ctx;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof HttpPipelining.Sequenced<?> r) {
                requests.add(r);
            } else {
                others.add(msg);
            }
        }

        void answer(int i, HttpResponseStatus status) {
            HttpPipelining.Sequenced<?> r = requests.get(i);
            FullHttpResponse resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status);
            resp.headers().set("X-Uri", ((FullHttpRequest) r.message()).uri());
            ctx.writeAndFlush(new HttpPipelining.Sequenced<>(resp, r.sequence()));
        }
    }

    static FullHttpRequest get(String uri) {
        return new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, uri);
    }

    static List<String> written(EmbeddedChannel ch) {
        List<String> uris = new ArrayList<>();
        FullHttpResponse r;
        while ((r = ch.readOutbound()) != null) {
            uris.add(r.headers().get("X-Uri"));
            r.release();
        }
        return uris;
    }

    @Test
    void answersWaitForEarlierOnesAndReadingPausesPastTheLimit() {
        Pending pending = new Pending();
        EmbeddedChannel ch = new EmbeddedChannel(new FlowControlHandler(), new HttpPipelining(2), pending);
        for (int i = 0; i < 5; i++) {
            ch.writeInbound(get("/" + i));
        }
        assertThat(pending.requests).hasSize(2);
        assertThat(ch.config().isAutoRead()).isFalse();

        pending.answer(1, HttpResponseStatus.OK);
        assertThat(written(ch)).isEmpty();
        pending.answer(0, HttpResponseStatus.NO_CONTENT);
        assertThat(written(ch)).containsExactly("/0", "/1");
        // Two answers out: two more requests let through, then paused again.
        assertThat(pending.requests).hasSize(4);
        assertThat(ch.config().isAutoRead()).isFalse();

        pending.answer(3, HttpResponseStatus.OK);
        pending.answer(2, HttpResponseStatus.OK);
        assertThat(written(ch)).containsExactly("/2", "/3");
        assertThat(pending.requests).hasSize(5);
        pending.answer(4, HttpResponseStatus.OK);
        assertThat(written(ch)).containsExactly("/4");
        assertThat(ch.config().isAutoRead()).isTrue();
        pending.requests.forEach(HttpPipelining.Sequenced::release);
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void answersHeldWhenTheConnectionClosesAreReleased() {
        Pending pending = new Pending();
        EmbeddedChannel ch = new EmbeddedChannel(new FlowControlHandler(), new HttpPipelining(8), pending);
        ch.writeInbound(get("/0"), get("/1"));
        FullHttpResponse late = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        pending.ctx.writeAndFlush(new HttpPipelining.Sequenced<>(late, 1));
        assertThat(late.refCnt()).isEqualTo(1);
        ch.close();
        assertThat(late.refCnt()).isZero();
        pending.requests.forEach(HttpPipelining.Sequenced::release);
        ch.finishAndReleaseAll();
    }

    @Test
    void anUpgradeWaitsForTheAnswersBeforeItAndThe101RemovesTheHandler() {
        Pending pending = new Pending();
        EmbeddedChannel ch = new EmbeddedChannel(new FlowControlHandler(), new HttpPipelining(8), pending);
        FullHttpRequest upgrade = get("/ws");
        upgrade.headers().set("Upgrade", "websocket");
        ch.writeInbound(get("/0"), upgrade, get("/after"));
        assertThat(pending.requests).hasSize(1);
        pending.answer(0, HttpResponseStatus.OK);
        ch.runPendingTasks();
        assertThat(pending.requests).hasSize(2);
        assertThat(((FullHttpRequest) pending.requests.get(1).message()).uri()).isEqualTo("/ws");
        // The handshake's own 101, not through an exchange.
        ch.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.SWITCHING_PROTOCOLS));
        assertThat(ch.pipeline().get(HttpPipelining.class)).isNull();
        assertThat(ch.config().isAutoRead()).isTrue();
        // What followed the upgrade now passes untouched, to whatever speaks the new protocol.
        assertThat(pending.others).hasSize(1);
        pending.others.forEach(io.netty.util.ReferenceCountUtil::release);
        pending.requests.forEach(HttpPipelining.Sequenced::release);
        ch.finishAndReleaseAll();
    }
}
