package io.sluice.server;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * An HTTP/1.1 connection on a plain socket, for what the JDK's client will not do: pipelining
 * (many requests written before any answer is read), bodies that lie about their length,
 * malformed heads, hanging up mid-body.
 */
final class RawHttp implements AutoCloseable {
    record Response(int status, Map<String, String> headers, String body) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    RawHttp(int port) throws IOException {
        this(connect(port));
    }

    /** Over a socket already connected, such as a TLS one. */
    RawHttp(Socket connected) throws IOException {
        socket = connected;
        socket.setTcpNoDelay(true);
        socket.setSoTimeout(30_000);
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    private static Socket connect(int port) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        return s;
    }

    /**
     * A request's bytes: {@code Content-Length} set from the body when there is one, and
     * {@code Host: localhost} unless the headers name another.
     */
    static byte[] request(String method, String target, byte[] body, String... headers) {
        StringBuilder h = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\n");
        if (java.util.Arrays.stream(headers).noneMatch(x -> x.regionMatches(true, 0, "Host:", 0, 5))) {
            h.append("Host: localhost\r\n");
        }
        for (String header : headers) {
            h.append(header).append("\r\n");
        }
        if (body != null) {
            h.append("Content-Length: ").append(body.length).append("\r\n");
        }
        h.append("\r\n");
        byte[] head = h.toString().getBytes(StandardCharsets.ISO_8859_1);
        if (body == null) {
            return head;
        }
        byte[] all = new byte[head.length + body.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(body, 0, all, head.length, body.length);
        return all;
    }

    static byte[] get(String target) {
        return request("GET", target, null);
    }

    static byte[] post(String target, String body, String... headers) {
        return request("POST", target, body.getBytes(StandardCharsets.UTF_8), headers);
    }

    /** Writes all the requests in one go, so they arrive together. */
    RawHttp send(byte[]... requests) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (byte[] r : requests) {
            all.write(r);
        }
        out.write(all.toByteArray());
        out.flush();
        return this;
    }

    /**
     * Sends the head of a write announcing {@code length} bytes and {@code beforeAnswer} of them,
     * past the server's body limit; reads the answer; then sends the rest of the body, which must
     * go out without a reset (the server lingers: RFC 9112 section 9.6), and returns the answer.
     */
    Response refusedBodySentToTheEnd(int length, int beforeAnswer) throws IOException {
        byte[] body = new byte[length];
        java.util.Arrays.fill(body, (byte) 'x');
        send(request("POST", "/write", null, "Content-Type: text/plain", "Content-Length: " + length));
        out.write(body, 0, beforeAnswer);
        out.flush();
        Response answer = read();
        for (int sent = beforeAnswer; sent < length; sent += 16_384) {
            out.write(body, sent, Math.min(16_384, length - sent));
        }
        out.flush();
        return answer;
    }

    void shutdownOutput() throws IOException {
        socket.shutdownOutput();
    }

    /** The next answer; EOFException when the server closed the connection first. */
    Response read() throws IOException {
        String status = line();
        if (!status.startsWith("HTTP/1.")) {
            throw new IOException("not a status line: " + status);
        }
        Map<String, String> headers = new TreeMap<>();
        String h;
        while (!(h = line()).isEmpty()) {
            int colon = h.indexOf(':');
            headers.put(h.substring(0, colon).trim().toLowerCase(Locale.ROOT), h.substring(colon + 1).trim());
        }
        int code = Integer.parseInt(status.substring(9, 12));
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            int size;
            while ((size = Integer.parseInt(line().split(";")[0].trim(), 16)) > 0) {
                body.write(in.readNBytes(size));
                line();
            }
            line();
        } else if (headers.containsKey("content-length")) {
            int n = Integer.parseInt(headers.get("content-length"));
            byte[] b = in.readNBytes(n);
            if (b.length < n) {
                throw new EOFException("body cut short");
            }
            body.write(b);
        }
        return new Response(code, headers, body.toString(StandardCharsets.UTF_8));
    }

    /** True when the server ended the stream with a FIN; a reset is thrown, not taken for an end. */
    boolean endedCleanly() throws IOException {
        return in.read() < 0;
    }

    /** True when the server closed the connection (nothing more to read). */
    boolean closedByServer() throws IOException {
        try {
            return in.read() < 0;
        } catch (java.net.SocketException reset) {
            return true;
        }
    }

    private String line() throws IOException {
        StringBuilder s = new StringBuilder();
        int c;
        while ((c = in.read()) != '\n') {
            if (c < 0) {
                throw new EOFException("connection closed");
            }
            if (c != '\r') {
                s.append((char) c);
            }
        }
        return s.toString();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
