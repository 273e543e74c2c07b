package io.sluice.server.net;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OptionalSslHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.ReferenceCountUtil;
import io.sluice.server.auth.Access;
import io.sluice.server.config.WatchedFile;
import io.sluice.storage.metrics.Counter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.security.auth.x500.X500Principal;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;

/**
 * TLS for the HTTP and WebSocket port (README "TLS"): a certificate chain and a PKCS#8 key in PEM
 * files, read again when either changes, so a renewed certificate is used by new connections
 * without a restart (open ones keep theirs). TLS 1.2 and 1.3 only (RFC 8996 retired 1.0 and
 * 1.1). With {@code tls_client_ca} a client may present a certificate signed by that CA; its
 * subject then stands for the token whose {@code client_cert_subject} names it. BoringSSL serves
 * where it loads, the JDK's provider otherwise ({@link TlsProviders}).
 */
public final class Tls {
    private static final Logger log = LoggerFactory.getLogger(Tls.class);
    private static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

    private final WatchedFile cert;
    private final WatchedFile key;
    private final WatchedFile clientCa;
    private final Counter plainRefused;
    private final SslProvider provider;
    private volatile SslContext context;

    private Tls(Path cert, Path key, Path clientCa, Counter plainRefused, SslProvider provider) {
        this.cert = new WatchedFile(cert);
        this.key = new WatchedFile(key);
        this.clientCa = clientCa == null ? null : new WatchedFile(clientCa);
        this.plainRefused = plainRefused;
        this.provider = provider;
    }

    /**
     * @param clientCa null for no client certificates
     * @param provider from {@link TlsProviders#choose}
     * @throws IOException when a file cannot be read or does not hold what it should
     */
    public static Tls load(Path cert, Path key, Path clientCa, Counter plainRefused, SslProvider provider) throws IOException {
        Tls t = new Tls(cert, key, clientCa, plainRefused, provider);
        t.context = t.build(t.cert.changed(), t.key.changed(), clientCa == null ? null : t.clientCa.changed(), "TLS enabled");
        return t;
    }

    /** The implementation serving: {@code OPENSSL} (BoringSSL) or {@code JDK}. */
    public SslProvider provider() {
        return provider;
    }

    /** Builds a new context when a file changed; on failure the one in force stays. */
    public void reloadIfChanged() {
        try {
            byte[] c = cert.changed();
            byte[] k = key.changed();
            byte[] ca = clientCa == null ? null : clientCa.changed();
            if (c == null && k == null && ca == null) {
                return;
            }
            context = build(c != null ? c : java.nio.file.Files.readAllBytes(cert.path()),
                    k != null ? k : java.nio.file.Files.readAllBytes(key.path()),
                    clientCa == null ? null : ca != null ? ca : java.nio.file.Files.readAllBytes(clientCa.path()),
                    "TLS certificate changed: new connections use it");
        } catch (IOException e) {
            // A certificate written before its key fails here once; the key's change brings another try.
            log.warn("TLS files changed but could not be used; the certificate in force stays [cert={}, key={}, error={}]",
                    cert.path(), key.path(), e.getMessage());
        }
    }

    private SslContext build(byte[] certPem, byte[] keyPem, byte[] caPem, String what) throws IOException {
        X509Certificate leaf = leaf(certPem);
        SslContextBuilder b;
        try {
            // The OPENSSL provider (not OPENSSL_REFCNT) frees each replaced context's native part itself.
            b = SslContextBuilder.forServer(new ByteArrayInputStream(certPem), new ByteArrayInputStream(keyPem))
                    .sslProvider(provider).protocols(PROTOCOLS);
            if (caPem != null) {
                b.trustManager(new ByteArrayInputStream(caPem)).clientAuth(ClientAuth.OPTIONAL);
            }
            SslContext ctx = b.build();
            log.info("{} [provider={}, library={}, protocols={}, cert={}, subject={}, notAfter={}, clientCertificates={}]",
                    what, provider, TlsProviders.library(provider), enabledProtocols(ctx), cert.path(),
                    leaf.getSubjectX500Principal().getName(), leaf.getNotAfter().toInstant(),
                    caPem == null ? "off" : "optional");
            Instant notAfter = leaf.getNotAfter().toInstant();
            if (notAfter.isBefore(Instant.now().plus(Duration.ofDays(14)))) {
                log.warn("the TLS certificate expires soon; replace the file and Sluice picks it up [cert={}, notAfter={}]",
                        cert.path(), notAfter);
            }
            return ctx;
        } catch (IllegalArgumentException | IOException e) {
            throw new IOException("tls_cert/tls_key: not a usable certificate and PKCS#8 key in PEM (" + e.getMessage() + ")", e);
        }
    }

    /**
     * The protocol versions an engine of this context enables: what a client can really get, not
     * what was asked. Netty's OpenSSL engine always lists {@code SSLv2Hello}, the format of a hello
     * rather than a version (and one BoringSSL does not take): it is left out.
     */
    private static String enabledProtocols(SslContext ctx) {
        SSLEngine engine = ctx.newEngine(ByteBufAllocator.DEFAULT);
        try {
            return String.join(",", Arrays.stream(engine.getEnabledProtocols()).filter(p -> !p.equals("SSLv2Hello")).toList());
        } finally {
            ReferenceCountUtil.release(engine);
        }
    }

    private X509Certificate leaf(byte[] pem) throws IOException {
        try {
            Certificate c = CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(pem));
            return (X509Certificate) c;
        } catch (CertificateException e) {
            throw new IOException("tls_cert " + cert.path() + ": no PEM certificate in it", e);
        }
    }

    /** The handler for a new connection: TLS, or a plain-HTTP 400 and a close. */
    public ChannelHandler newHandler() {
        return new Sniffer(context);
    }

    /**
     * Tells TLS from plain bytes by the first record (Netty's check): TLS gets an {@link SslHandler}
     * with the client certificate noted once the handshake is done; plain HTTP gets a 400 saying
     * to use https, as nginx does, rather than a handshake failure the client cannot read.
     */
    private final class Sniffer extends OptionalSslHandler {
        Sniffer(SslContext context) {
            super(context);
        }

        @Override
        protected String newSslHandlerName() {
            return "tls";
        }

        @Override
        protected SslHandler newSslHandler(ChannelHandlerContext ctx, SslContext sslContext) {
            SslHandler h = super.newSslHandler(ctx, sslContext);
            h.handshakeFuture().addListener(f -> {
                if (f.isSuccess()) {
                    noteClientCertificate(ctx, h);
                }
            });
            return h;
        }

        @Override
        protected ChannelHandler newNonSslHandler(ChannelHandlerContext ctx) {
            return new PlainRefusal();
        }
    }

    private static void noteClientCertificate(ChannelHandlerContext ctx, SslHandler h) {
        try {
            Certificate[] chain = h.engine().getSession().getPeerCertificates();
            if (chain.length > 0 && chain[0] instanceof X509Certificate x) {
                ctx.channel().attr(Access.CLIENT_CERT_SUBJECT)
                        .set(x.getSubjectX500Principal().getName(X500Principal.CANONICAL));
            }
        } catch (SSLPeerUnverifiedException none) {
            // No client certificate: the request's token decides.
        }
    }

    private final class PlainRefusal extends ChannelInboundHandlerAdapter {
        private boolean answered;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
            if (answered) {
                return;
            }
            answered = true;
            plainRefused.inc();
            String body = "{\"code\":\"invalid\",\"message\":\"this port speaks TLS: use https:// (or wss://)\","
                    + "\"error\":\"this port speaks TLS: use https:// (or wss://)\"}";
            byte[] b = body.getBytes(StandardCharsets.US_ASCII);
            String head = "HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nConnection: close\r\n"
                    + "Content-Length: " + b.length + "\r\n\r\n";
            ByteBuf out = Unpooled.wrappedBuffer(head.getBytes(StandardCharsets.US_ASCII), b);
            ctx.channel().config().setAutoRead(false);
            ctx.writeAndFlush(out).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
