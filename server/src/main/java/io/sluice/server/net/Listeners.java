package io.sluice.server.net;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.FastThreadLocal;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.sluice.server.config.Config;
import io.sluice.server.http.HttpGuard;
import io.sluice.server.http.HttpServerInitializer;
import io.sluice.server.http.Router;
import io.sluice.server.protocol.LineDecoder;
import io.sluice.server.tcp.LineStreamHandler;
import io.sluice.server.udp.DatagramHandler;
import io.sluice.storage.metrics.Counter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Sluice's sockets: the event loop groups, the HTTP listeners (the main port and a protocol's
 * own), UDP readers and newline-framed TCP listeners, and the connections those TCP listeners
 * hold. Shut down in two steps (README "Shutdown"): {@link #stopAccepting()} first, the HTTP
 * event loops ({@link #stopEventLoops()}) only after the ring has drained, since the HTTP writes
 * waiting on the drain are answered on them.
 */
public final class Listeners {
    private static final Logger log = LoggerFactory.getLogger(Listeners.class);
    /** Connections one protocol TCP listener keeps open at most; more are closed at once and counted. */
    public static final int MAX_TCP_CONNECTIONS = 1024;

    private final Config cfg;
    private final HttpGuard guard;
    private final Transport transport = Transport.best();
    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private EventLoopGroup udpGroup;
    private final List<Channel> channels = new ArrayList<>();
    /** Protocol listeners' bound ports by transport name. */
    private final Map<String, Integer> ports = new ConcurrentHashMap<>();
    /** Open connections of protocols' TCP listeners, closed with the listeners. */
    private final ChannelGroup tcpConnections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);

    /** Starts the accepting and HTTP event loops ({@code event_loop_threads}, else one per core). */
    public Listeners(Config cfg, HttpGuard guard) {
        this.cfg = cfg;
        this.guard = guard;
        int threads = cfg.eventLoopThreads() > 0 ? cfg.eventLoopThreads() : Runtime.getRuntime().availableProcessors();
        boss = transport.group(1, "sluice-accept");
        workers = transport.group(threads, "sluice-http");
    }

    public Transport transport() {
        return transport;
    }

    /** The main HTTP listener on {@code http_port}, answering {@code routes}. */
    public int http(int port, Router routes) throws InterruptedException {
        Channel ch = new ServerBootstrap()
                .group(boss, workers)
                .channel(transport.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new HttpServerInitializer((int) Math.min(Integer.MAX_VALUE, cfg.maxBodyBytes()),
                        cfg.httpMaxPipelined(), routes, guard))
                .bind(new InetSocketAddress(cfg.bindAddress(), port)).sync().channel();
        channels.add(ch);
        return ((InetSocketAddress) ch.localAddress()).getPort();
    }

    /** A protocol's own HTTP listener ({@code what} in the log), with the main port's pipeline and limits. */
    public int http(String what, String name, int port, Router routes) throws InterruptedException {
        int bound = http(port, routes);
        ports.put(name, bound);
        log.info("HTTP {} listening [port={}, routes={}]", what, bound, routes.entries().size());
        return bound;
    }

    /**
     * Binds {@code udp_readers} sockets to one port with SO_REUSEPORT (the kernel spreads
     * datagrams over them), or one socket where the transport cannot share a port.
     */
    public int udp(String what, String name, int port, SourceFilter sources, DatagramHandler handler)
            throws InterruptedException {
        if (udpGroup == null) {
            udpGroup = transport.group(cfg.udpReaders() * 2, "sluice-udp");
        }
        int readers = transport.reusePort() ? cfg.udpReaders() : 1;
        int bound = port;
        for (int i = 0; i < readers; i++) {
            Bootstrap b = new Bootstrap()
                    .group(udpGroup)
                    .channel(transport.datagramChannel())
                    .option(ChannelOption.SO_RCVBUF, cfg.udpReceiveBuffer())
                    .option(ChannelOption.RECVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(65536))
                    .handler(new ChannelInitializer<>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            // Sources first, whatever the protocol: UDP carries no token (README "Trust").
                            ch.pipeline().addLast(sources, handler);
                        }
                    });
            if (transport.reusePort()) {
                b.option(EpollChannelOption.SO_REUSEPORT, true);
            }
            Channel ch = b.bind(new InetSocketAddress(cfg.bindAddress(), bound)).sync().channel();
            channels.add(ch);
            bound = ((InetSocketAddress) ch.localAddress()).getPort();
            if (i == 0) {
                logReceiveBuffer(what, bound, readers, ((DatagramChannel) ch).config().getReceiveBufferSize());
            }
        }
        ports.put(name, bound);
        return bound;
    }

    private void logReceiveBuffer(String what, int port, int readers, int granted) {
        log.info("UDP {} listening [port={}, readers={}, rcvbufAsked={}, rcvbufGranted={}]", what, port,
                readers, cfg.udpReceiveBuffer(), granted);
        if (granted < cfg.udpReceiveBuffer()) {
            log.warn("the kernel granted a smaller UDP receive buffer than asked; bursts may be dropped"
                    + " by the kernel (raise net.core.rmem_max) [asked={}, granted={}]",
                    cfg.udpReceiveBuffer(), granted);
        }
    }

    /**
     * Newline-framed TCP on {@code port}: lines up to {@code maxLine} bytes, connections idle for
     * {@code idle} closed, at most {@link #MAX_TCP_CONNECTIONS} open (more are closed and counted
     * in {@code refused}); each event loop gets its own decoder.
     */
    public int tcpLines(String what, String name, int port, int maxLine, Duration idle, Supplier<LineDecoder> decoders,
                        SourceFilter sources, Counter refused) throws InterruptedException {
        FastThreadLocal<LineDecoder> perThread = new FastThreadLocal<>() {
            @Override
            protected LineDecoder initialValue() {
                return decoders.get();
            }
        };
        Channel ch = new ServerBootstrap()
                .group(boss, workers)
                .channel(transport.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel c) {
                        if (tcpConnections.size() >= MAX_TCP_CONNECTIONS) {
                            refused.inc();
                            c.close();
                            return;
                        }
                        tcpConnections.add(c);
                        // Sources first: a line protocol over TCP carries no token either (README "UDP").
                        c.pipeline().addLast(sources).addLast(new IdleStateHandler(0, 0, idle.toMillis(), TimeUnit.MILLISECONDS))
                                .addLast(new LineStreamHandler(maxLine, perThread, name));
                    }
                })
                .bind(new InetSocketAddress(cfg.bindAddress(), port)).sync().channel();
        channels.add(ch);
        int bound = ((InetSocketAddress) ch.localAddress()).getPort();
        ports.put(name, bound);
        log.info("TCP {} listening [port={}, maxLine={}, idle={}]", what, bound, maxLine, idle);
        return bound;
    }

    /** The port a protocol's listener bound ({@code udp_line}, {@code tcp_statsd}...), or 0. */
    public int port(String name) {
        return ports.getOrDefault(name, 0);
    }

    /** Protocol listeners' bound ports by name (a live view). */
    public Map<String, Integer> ports() {
        return Collections.unmodifiableMap(ports);
    }

    /** Closes every listener, the protocols' TCP connections and the UDP readers' event loops. */
    public void stopAccepting() {
        for (Channel ch : channels) {
            ch.close().syncUninterruptibly();
        }
        tcpConnections.close().syncUninterruptibly();
        if (udpGroup != null) {
            udpGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    /** Stops the accepting and HTTP event loops, letting answers under way go out (up to 2 s). */
    public void stopEventLoops() {
        boss.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        workers.shutdownGracefully(100, 2_000, TimeUnit.MILLISECONDS).syncUninterruptibly();
    }
}
