package io.sluice.bench;

import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * One blocking HTTP/1.1 keep-alive connection, for the load generator: a request is one write of
 * prebuilt bytes, a response is read into a reused buffer.
 *
 * <p>The JDK's {@code HttpClient} used 19 % of this 2-core machine to send 50 requests a second
 * (its selector thread, body publishers and 16 kB copies), CPU that the database then did not
 * get while the ceiling's harness used 5 %. This does what the scenarios need and no more:
 * {@code Content-Length} and chunked bodies, keep-alive, {@code Connection: close}. After an I/O
 * error the connection is dropped and the next request opens a new one; a request is never
 * retried here, the caller counts the failure. Over {@code https://} the same bytes go through the
 * JDK's {@link SSLSocket}, the server's name checked against its certificate as a browser does.
 */
public final class PlainHttp implements Closeable {
    private static final int MAX_HEAD = 64 * 1024;

    private final String host;
    private final int port;
    private final int timeoutMs;
    private final SSLSocketFactory tls;
    private final byte[] in = new byte[64 * 1024];
    private int pos;
    private int lim;
    private Socket socket;
    private InputStream input;
    private OutputStream output;
    private final ByteArrayOutputStream body = new ByteArrayOutputStream();
    private int connects;

    /** @param base {@code http://host:port}; any path in it is ignored */
    public PlainHttp(URI base, int timeoutMs) {
        this(base, timeoutMs, null);
    }

    /**
     * @param base {@code http://host:port} or {@code https://host:port}; any path in it is ignored
     * @param tls  the sockets for {@code https://} (whom they trust), null for {@code http://}
     */
    public PlainHttp(URI base, int timeoutMs, SSLSocketFactory tls) {
        boolean https = "https".equals(base.getScheme());
        if (!https && !"http".equals(base.getScheme())) {
            throw new IllegalArgumentException("only http:// and https:// are supported, got " + base);
        }
        if (https != (tls != null)) {
            throw new IllegalArgumentException(https ? "https:// needs a TLS socket factory, got none for " + base
                    : "a TLS socket factory was given for " + base + "; use https://");
        }
        this.host = base.getHost();
        this.port = base.getPort() >= 0 ? base.getPort() : https ? 443 : 80;
        this.timeoutMs = timeoutMs;
        this.tls = tls;
    }

    /** Sends a POST and returns the status; the answer's body is then in {@link #body()}. */
    public int post(String target, String contentType, byte[] content) throws IOException {
        return post(target, contentType, "", content);
    }

    /** As {@link #post(String, String, byte[])} with more header lines, each ending in CRLF. */
    public int post(String target, String contentType, String headers, byte[] content) throws IOException {
        String head = "POST " + target + " HTTP/1.1\r\nHost: " + host + ":" + port
                + "\r\nContent-Type: " + contentType + "\r\n" + headers + "Content-Length: " + content.length + "\r\n\r\n";
        return exchange(head.getBytes(StandardCharsets.US_ASCII), content);
    }

    /** Sends a GET and returns the status; the answer's body is then in {@link #body()}. */
    public int get(String target) throws IOException {
        String head = "GET " + target + " HTTP/1.1\r\nHost: " + host + ":" + port + "\r\n\r\n";
        return exchange(head.getBytes(StandardCharsets.US_ASCII), null);
    }

    /**
     * Writes a request's bytes as they are, without waiting for its answer (pipelining: answers
     * are read in order with {@link #receive}). Connects first if needed.
     */
    public void send(byte[] request) throws IOException {
        try {
            if (socket == null) {
                connect();
            }
            output.write(request);
            output.flush();
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Reads the next answer on the connection and returns its status; its body is then in {@link #body()}. */
    public int receive() throws IOException {
        try {
            return readResponse();
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    /** The last answer's body, as UTF-8. */
    public String body() {
        return body.toString(StandardCharsets.UTF_8);
    }

    /** TCP connections opened so far (one, while keep-alive holds). */
    int connects() {
        return connects;
    }

    private int exchange(byte[] head, byte[] content) throws IOException {
        try {
            if (socket == null) {
                connect();
            }
            if (content == null || head.length + content.length > 16 * 1024) {
                output.write(head);
                if (content != null) {
                    output.write(content);
                }
            } else {
                byte[] one = new byte[head.length + content.length];
                System.arraycopy(head, 0, one, 0, head.length);
                System.arraycopy(content, 0, one, head.length, content.length);
                output.write(one);
            }
            output.flush();
            return readResponse();
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    private void connect() throws IOException {
        Socket s = new Socket();
        s.setTcpNoDelay(true);
        s.setSoTimeout(timeoutMs);
        s.connect(new InetSocketAddress(host, port), timeoutMs);
        if (tls != null) {
            SSLSocket t = (SSLSocket) tls.createSocket(s, host, port, true);
            SSLParameters p = t.getSSLParameters();
            p.setEndpointIdentificationAlgorithm("HTTPS");
            t.setSSLParameters(p);
            t.startHandshake();
            s = t;
        }
        socket = s;
        input = s.getInputStream();
        output = s.getOutputStream();
        pos = 0;
        lim = 0;
        connects++;
    }

    private int readResponse() throws IOException {
        String statusLine = line();
        // "HTTP/1.1 204 No Content"
        if (!statusLine.startsWith("HTTP/1.") || statusLine.length() < 12) {
            throw new IOException("not an HTTP/1.x status line: " + statusLine);
        }
        int status = Integer.parseInt(statusLine.substring(9, 12));
        long length = -1;
        boolean chunked = false;
        boolean close = statusLine.startsWith("HTTP/1.0");
        int headBytes = statusLine.length();
        String h;
        while (!(h = line()).isEmpty()) {
            headBytes += h.length();
            if (headBytes > MAX_HEAD) {
                throw new IOException("response head longer than " + MAX_HEAD + " bytes");
            }
            int colon = h.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String name = h.substring(0, colon).trim();
            String value = h.substring(colon + 1).trim();
            if (name.equalsIgnoreCase("content-length")) {
                length = Long.parseLong(value);
            } else if (name.equalsIgnoreCase("transfer-encoding")) {
                chunked = value.toLowerCase().contains("chunked");
            } else if (name.equalsIgnoreCase("connection")) {
                close = value.equalsIgnoreCase("close");
            }
        }
        body.reset();
        if (status == 204 || status == 304 || (status >= 100 && status < 200)) {
            length = 0;
        }
        if (chunked) {
            long size;
            while ((size = Long.parseLong(stripExtension(line()), 16)) > 0) {
                copy(size);
                line(); // the CRLF after the chunk
            }
            while (!line().isEmpty()) {
                // trailers: none expected, ignored
            }
        } else if (length >= 0) {
            copy(length);
        } else {
            // No length and not chunked: the body runs to the end of the connection.
            close = true;
            while (fill()) {
                body.write(in, pos, lim - pos);
                pos = lim;
            }
        }
        if (close) {
            close();
        }
        return status;
    }

    private static String stripExtension(String sizeLine) {
        int semi = sizeLine.indexOf(';');
        return (semi < 0 ? sizeLine : sizeLine.substring(0, semi)).trim();
    }

    private void copy(long n) throws IOException {
        while (n > 0) {
            if (pos == lim && !fill()) {
                throw new EOFException("connection closed " + n + " bytes before the end of the body");
            }
            int k = (int) Math.min(n, lim - pos);
            body.write(in, pos, k);
            pos += k;
            n -= k;
        }
    }

    /** One header line without its CRLF. */
    private String line() throws IOException {
        StringBuilder sb = new StringBuilder(64);
        while (true) {
            if (pos == lim && !fill()) {
                throw new EOFException("connection closed in the response head");
            }
            byte b = in[pos++];
            if (b == '\n') {
                int n = sb.length();
                if (n > 0 && sb.charAt(n - 1) == '\r') {
                    sb.setLength(n - 1);
                }
                return sb.toString();
            }
            if (sb.length() > MAX_HEAD) {
                throw new IOException("response line longer than " + MAX_HEAD + " bytes");
            }
            sb.append((char) (b & 0xFF));
        }
    }

    private boolean fill() throws IOException {
        int n = input.read(in, 0, in.length);
        if (n <= 0) {
            return false;
        }
        pos = 0;
        lim = n;
        return true;
    }

    /** The open connection's TLS protocol and cipher suite ({@code TLSv1.3 TLS_AES_256_GCM_SHA384}), or null. */
    public String tlsSession() {
        return socket instanceof SSLSocket t ? t.getSession().getProtocol() + " " + t.getSession().getCipherSuite() : null;
    }

    /** Whether a connection is open (an answer with {@code Connection: close} closes it). */
    public boolean isOpen() {
        return socket != null;
    }

    @Override
    public void close() {
        Socket s = socket;
        socket = null;
        if (s != null) {
            try {
                s.close();
            } catch (IOException ignored) {
                // nothing to do: the connection is gone either way
            }
        }
    }
}
