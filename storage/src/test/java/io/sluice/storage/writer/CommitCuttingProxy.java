package io.sluice.storage.writer;

import io.sluice.storage.db.DatabaseUrl;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy in front of PostgreSQL that loses the answer to a COMMIT: while armed, it passes a
 * client's {@code COMMIT} on to the server, gives the server time to carry it out, then cuts
 * both sides, so the client cannot know whether its transaction committed. Clients must not
 * use server-prepared statements ({@code prepareThreshold=0}), so every COMMIT travels as text.
 * With {@link #forward} false the COMMIT is not passed on (the server then rolls the transaction
 * back when the connection closes); {@link #onlyWriterCommits} cuts only the COMMIT of a
 * transaction that recorded a writer's batch; {@link #onCut} runs before the COMMIT goes on.
 */
public final class CommitCuttingProxy implements AutoCloseable {
    /** "COMMIT" and the NUL that ends the query string of a Parse message. */
    private static final byte[] COMMIT = "COMMIT\0".getBytes(StandardCharsets.US_ASCII);

    private final ServerSocket listener;
    private final int upstreamPort;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    /**
     * What {@link #onlyWriterCommits} looks for in a transaction: a writer's batch record, or (set by
     * a test of {@code write_ack = local}) the flusher's {@code sluice_journal_marks}.
     */
    public volatile byte[] marker = "sluice_write_batches".getBytes(StandardCharsets.US_ASCII);

    /** COMMITs still to cut. */
    public final AtomicInteger toCut = new AtomicInteger();
    public final AtomicInteger cut = new AtomicInteger();
    /** Whether a COMMIT cut is passed on to the server first (it commits) or dropped (it rolls back). */
    public volatile boolean forward = true;
    /** Cut only the COMMIT of a transaction that wrote {@code sluice_write_batches} (a writer's batch). */
    public volatile boolean onlyWriterCommits;
    /** Runs as a COMMIT is cut, before it goes on: before the client can learn anything of it. */
    public volatile Runnable onCut = () -> { };

    public CommitCuttingProxy(int upstreamPort) throws IOException {
        this.upstreamPort = upstreamPort;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::accept, "commit-cutting-proxy");
        t.setDaemon(true);
        t.start();
    }

    /**
     * {@code direct}'s database through this proxy, with the extended protocol's unnamed
     * statements only ({@code prepareThreshold=0}), so every COMMIT goes by as a message it sees.
     */
    public DatabaseUrl via(DatabaseUrl direct) {
        return new DatabaseUrl(direct.jdbcUrl().replace(":" + upstreamPort + "/", ":" + port() + "/") + "?prepareThreshold=0",
                direct.user(), direct.password());
    }

    public int port() {
        return listener.getLocalPort();
    }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                Socket server = new Socket(InetAddress.getLoopbackAddress(), upstreamPort);
                client.setTcpNoDelay(true);
                server.setTcpNoDelay(true);
                sockets.add(client);
                sockets.add(server);
                AtomicBoolean severed = new AtomicBoolean();
                AtomicBoolean recorded = new AtomicBoolean();
                pump(client, server, severed, recorded, true);
                pump(server, client, severed, recorded, false);
            } catch (IOException e) {
                return;
            }
        }
    }

    /**
     * Copies one direction. Client to server: a chunk holding a COMMIT, while armed, severs the
     * pair before it is passed on; server to client: nothing passes once severed, so the
     * COMMIT's answer never reaches the client.
     */
    private void pump(Socket from, Socket to, AtomicBoolean severed, AtomicBoolean recorded, boolean clientToServer) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[65536];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buf)) > 0) {
                    boolean commit = clientToServer && contains(buf, n, COMMIT);
                    if (clientToServer && contains(buf, n, marker)) {
                        recorded.set(true);
                    }
                    boolean cutNow = commit && (!onlyWriterCommits || recorded.get())
                            && toCut.getAndUpdate(v -> Math.max(0, v - 1)) > 0;
                    if (commit) {
                        recorded.set(false);
                    }
                    if (cutNow) {
                        severed.set(true);
                        cut.incrementAndGet();
                        onCut.run();
                    } else if (severed.get()) {
                        return;
                    }
                    if (!cutNow || forward) {
                        out.write(buf, 0, n);
                        out.flush();
                    }
                    if (cutNow) {
                        // Let the server commit (its answer, dropped, may close the pair first).
                        Thread.sleep(300);
                        return;
                    }
                }
            } catch (IOException | InterruptedException e) {
                // one side closed: close the other
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "commit-cutting-proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    private static boolean contains(byte[] buf, int n, byte[] what) {
        outer:
        for (int i = 0; i + what.length <= n; i++) {
            for (int j = 0; j < what.length; j++) {
                if (buf[i + j] != what[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
        for (Socket s : sockets) {
            closeQuietly(s);
        }
    }
}
