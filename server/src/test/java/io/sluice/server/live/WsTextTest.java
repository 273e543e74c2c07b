package io.sluice.server.live;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** Frames sealed by WsText are read back by Netty's own client-side decoder, at every length form. */
class WsTextTest {
    @Test
    void sealedFramesDecodeAsTextAtEveryLengthForm() {
        for (int len : new int[] {0, 1, 125, 126, 127, 65_535, 65_536, 200_000}) {
            String payload = "x".repeat(len);
            ByteBuf b = Unpooled.buffer();
            b.writerIndex(WsText.HEADER_ROOM);
            b.writeCharSequence(payload, StandardCharsets.US_ASCII);
            WsText.seal(b);

            // A client decoder: frames from a server must arrive unmasked.
            EmbeddedChannel client = new EmbeddedChannel(new WebSocket13FrameDecoder(
                    WebSocketDecoderConfig.newBuilder().expectMaskedFrames(false).maxFramePayloadLength(1 << 20).build()));
            assertThat(client.writeInbound(b)).as("length %d", len).isTrue();
            TextWebSocketFrame f = client.readInbound();
            try {
                assertThat(f.isFinalFragment()).isTrue();
                assertThat(f.text()).as("length %d", len).isEqualTo(payload);
            } finally {
                f.release();
            }
            assertThat(client.finishAndReleaseAll()).isFalse();
        }
    }
}
