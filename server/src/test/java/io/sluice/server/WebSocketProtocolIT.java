package io.sluice.server;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * RFC 6455 at the byte level: hand-built frames over a raw socket against the real server, for
 * what a WebSocket client library would never send (invalid UTF-8, RSV bits, unmasked frames,
 * broken opening handshakes).
 */
class WebSocketProtocolIT {
    static TestServer s;

    @BeforeAll
    static void start() throws Exception {
        s = TestServer.start("wsproto", Map.of());
    }

    @AfterAll
    static void stop() {
        s.close();
    }

    /** The sample handshake of RFC 6455 §1.3: its key and the accept value it must produce. */
    static final String KEY = "dGhlIHNhbXBsZSBub25jZQ==";
    static final String ACCEPT = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

    static final int TEXT = 0x1, CONTINUATION = 0x0, CLOSE = 0x8;

    /** A raw connection: the request as written, then frames in and out by hand. */
    static final class Raw implements AutoCloseable {
        final Socket socket;
        final OutputStream out;
        final DataInputStream in;
        final String status;
        final String head;

        Raw(String path, String... headers) throws IOException {
            socket = new Socket("127.0.0.1", s.server.httpPort());
            socket.setSoTimeout(10_000);
            out = socket.getOutputStream();
            in = new DataInputStream(socket.getInputStream());
            StringBuilder req = new StringBuilder("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n");
            for (String h : headers) {
                req.append(h).append("\r\n");
            }
            out.write(req.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            head = readHead(in);
            status = head.substring(0, head.indexOf("\r\n"));
        }

        static Raw upgraded(String path) throws IOException {
            Raw r = new Raw(path, "Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Key: " + KEY,
                    "Sec-WebSocket-Version: 13");
            assertThat(r.status).isEqualTo("HTTP/1.1 101 Switching Protocols");
            assertThat(r.head).containsIgnoringCase("sec-websocket-accept: " + ACCEPT);
            return r;
        }

        /** A frame from client to server: masked (§5.3) unless asked otherwise. */
        void frame(boolean fin, int rsv, int opcode, byte[] payload, boolean masked) throws IOException {
            ByteArrayOutputStream f = new ByteArrayOutputStream();
            f.write((fin ? 0x80 : 0) | (rsv << 4) | opcode);
            int maskBit = masked ? 0x80 : 0;
            if (payload.length < 126) {
                f.write(maskBit | payload.length);
            } else {
                f.write(maskBit | 126);
                f.write(payload.length >>> 8);
                f.write(payload.length & 0xFF);
            }
            byte[] mask = {0x37, (byte) 0xfa, 0x21, 0x3d};
            if (masked) {
                f.write(mask);
            }
            for (int i = 0; i < payload.length; i++) {
                f.write(masked ? payload[i] ^ mask[i % 4] : payload[i]);
            }
            out.write(f.toByteArray());
            out.flush();
        }

        void text(byte[] payload) throws IOException {
            frame(true, 0, TEXT, payload, true);
        }

        /** Reads server frames until a close frame; returns its status code. */
        int closeCode() throws IOException {
            while (true) {
                int b0 = in.readUnsignedByte();
                int len = in.readUnsignedByte() & 0x7F; // server frames are never masked
                if (len == 126) {
                    len = in.readUnsignedShort();
                } else if (len == 127) {
                    len = (int) in.readLong();
                }
                byte[] payload = new byte[len];
                in.readFully(payload);
                if ((b0 & 0x0F) == CLOSE) {
                    return len >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : 1005;
                }
            }
        }

        /** Reads server frames until a text frame; returns it. */
        String nextText() throws IOException {
            while (true) {
                int b0 = in.readUnsignedByte();
                int len = in.readUnsignedByte() & 0x7F;
                if (len == 126) {
                    len = in.readUnsignedShort();
                }
                byte[] payload = new byte[len];
                in.readFully(payload);
                if ((b0 & 0x0F) == TEXT) {
                    return new String(payload, StandardCharsets.UTF_8);
                }
            }
        }

        /** True when the server closed the TCP connection (EOF) after its close frame. */
        boolean closedByServer() throws IOException {
            try {
                return in.read() == -1;
            } catch (EOFException e) {
                return true;
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int state = 0;
        while (state < 4) {
            int c = in.read();
            if (c < 0) {
                break;
            }
            b.write(c);
            state = (c == '\r' && (state == 0 || state == 2)) || (c == '\n' && (state == 1 || state == 3)) ? state + 1 : 0;
        }
        return b.toString(StandardCharsets.ISO_8859_1);
    }

    static final byte[] INVALID_UTF8 = {'{', '"', (byte) 0xC3, 0x28, '"', '}'}; // 0xC3 then no continuation byte

    @Test
    void aTextFrameWithInvalidUtf8ClosesWith1007() throws Exception {
        try (Raw ws = Raw.upgraded("/v1/live")) {
            ws.text(INVALID_UTF8);
            assertThat(ws.closeCode()).isEqualTo(1007);
            assertThat(ws.closedByServer()).isTrue();
        }
        try (Raw ws = Raw.upgraded("/ws")) {
            ws.text(new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}); // an encoded surrogate is not UTF-8
            assertThat(ws.closeCode()).isEqualTo(1007);
        }
    }

    @Test
    void utf8IsCheckedAcrossFragments() throws Exception {
        byte[] euro = "€".getBytes(StandardCharsets.UTF_8);
        try (Raw ws = Raw.upgraded("/v1/live")) {
            // A valid message whose one character is split over two fragments is accepted...
            ws.frame(false, 0, TEXT, new byte[] {'"', euro[0]}, true);
            ws.frame(true, 0, CONTINUATION, new byte[] {euro[1], euro[2], '"'}, true);
            assertThat(ws.nextText()).contains("\"type\":\"error\"", "expected a JSON object");
            // ...and a message that ends in the middle of a character is not.
            ws.frame(false, 0, TEXT, new byte[] {'"', 'a'}, true);
            ws.frame(true, 0, CONTINUATION, new byte[] {euro[0], euro[1]}, true);
            assertThat(ws.closeCode()).isEqualTo(1007);
        }
    }

    @Test
    void rsvBitsWithoutANegotiatedExtensionCloseWith1002() throws Exception {
        for (int rsv : new int[] {4, 2, 1}) { // RSV1 (as permessage-deflate would set), RSV2, RSV3
            try (Raw ws = Raw.upgraded("/v1/live")) {
                ws.frame(true, rsv, TEXT, "{}".getBytes(StandardCharsets.UTF_8), true);
                assertThat(ws.closeCode()).as("rsv " + rsv).isEqualTo(1002);
                assertThat(ws.closedByServer()).isTrue();
            }
        }
    }

    @Test
    void anUnmaskedClientFrameClosesWith1002() throws Exception {
        try (Raw ws = Raw.upgraded("/v1/live")) {
            ws.frame(true, 0, TEXT, "{}".getBytes(StandardCharsets.UTF_8), false);
            assertThat(ws.closeCode()).isEqualTo(1002);
        }
    }

    @Test
    void aGoodConnectionStillWorksAfterOthersBrokeTheProtocol() throws Exception {
        try (Raw bad = Raw.upgraded("/v1/live")) {
            bad.text(INVALID_UTF8);
            assertThat(bad.closeCode()).isEqualTo(1007);
        }
        try (Raw ws = Raw.upgraded("/v1/live")) {
            ws.text("{\"type\":\"subscribe\",\"id\":\"a\",\"metrics\":[\"m\"]}".getBytes(StandardCharsets.UTF_8));
            assertThat(ws.nextText()).contains("\"type\":\"subscribed\"");
        }
    }

    @Test
    void anOpeningHandshakeWithAnEmptyOrMalformedKeyIs400() throws Exception {
        for (String key : new String[] {"Sec-WebSocket-Key:", "Sec-WebSocket-Key:   ", null,
                "Sec-WebSocket-Key: not base64!", "Sec-WebSocket-Key: AAAA"}) {
            String[] headers = key == null
                    ? new String[] {"Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Version: 13"}
                    : new String[] {"Upgrade: websocket", "Connection: Upgrade", key, "Sec-WebSocket-Version: 13"};
            try (Raw r = new Raw("/v1/live", headers)) {
                assertThat(r.status).as(String.valueOf(key)).isEqualTo("HTTP/1.1 400 Bad Request");
                assertThat(r.head).doesNotContainIgnoringCase("sec-websocket-accept");
            }
        }
        try (Raw r = new Raw("/ws/metrics/cpu", "Upgrade: websocket", "Sec-WebSocket-Key: " + KEY,
                "Sec-WebSocket-Version: 13")) {
            assertThat(r.status).as("no Connection: Upgrade").isEqualTo("HTTP/1.1 400 Bad Request");
        }
        try (Raw r = new Raw("/v1/live", "Upgrade: websocket", "Connection: keep-alive, Upgrade",
                "Sec-WebSocket-Key: " + KEY, "Sec-WebSocket-Version: 8")) {
            assertThat(r.status).isEqualTo("HTTP/1.1 426 Upgrade Required");
            assertThat(r.head).containsIgnoringCase("sec-websocket-version: 13");
        }
        // Firefox's Connection header (a list) is an opening handshake like any other.
        try (Raw r = new Raw("/v1/live", "Upgrade: websocket", "Connection: keep-alive, Upgrade",
                "Sec-WebSocket-Key: " + KEY, "Sec-WebSocket-Version: 13")) {
            assertThat(r.status).isEqualTo("HTTP/1.1 101 Switching Protocols");
        }
    }
}
