package io.sluice.server;

import io.sluice.agent.AgentCommand;
import io.sluice.server.config.Config;
import io.sluice.server.config.ConfigException;
import io.sluice.server.config.ConfigLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.Arrays;

/**
 * {@code java -jar sluice.jar [--config FILE]}, or {@code java -jar sluice.jar agent --to URL ...}
 * for the host agent ({@link AgentCommand}). Reads {@code ./config.toml} when present; with no
 * database configured runs the embedded PostgreSQL under {@code ./data}. SIGTERM and Ctrl-C drain
 * the ring to the database before exit.
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("agent")) {
            System.exit(AgentCommand.run(Arrays.copyOfRange(args, 1, args.length)));
            return;
        }
        Path toml = Path.of("config.toml");
        boolean required = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--config", "-c" -> {
                    if (i + 1 >= args.length) {
                        usage("--config needs a file");
                    }
                    toml = Path.of(args[++i]);
                    required = true;
                }
                case "--help", "-h" -> usage(null);
                default -> usage("unknown argument: " + args[i]);
            }
        }
        if (System.getenv("SLUICE_CONFIG") != null && !required) {
            toml = Path.of(System.getenv("SLUICE_CONFIG"));
            required = true;
        }
        Config cfg;
        try {
            cfg = ConfigLoader.load(toml, required, System.getenv());
        } catch (ConfigException e) {
            for (String p : e.problems()) {
                System.err.println("sluice: configuration error: " + p);
            }
            System.exit(2);
            return;
        }
        Logger log = LoggerFactory.getLogger(Main.class);
        SluiceServer server;
        try {
            server = SluiceServer.start(cfg);
        } catch (Exception e) {
            log.error("Sluice could not start: {}", e.getMessage(), e);
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> closeWithin(server, log), "sluice-shutdown"));
        RepeatedSignals.watch(server);
    }

    /**
     * Closes the server. Its steps are bounded, so this is a last resort: should the close not end
     * a few seconds after its limit, the JVM is halted with a line saying what was left.
     */
    private static void closeWithin(SluiceServer server, Logger log) {
        long limitMs = server.shutdownLimit().toMillis() + 5_000;
        Thread halter = new Thread(() -> {
            try {
                Thread.sleep(limitMs);
            } catch (InterruptedException e) {
                return;
            }
            log.error("shutdown still running, halting [waitedMs={}, ringSlotsLeft={}]", limitMs,
                    server.metrics().value("sluice_ring_occupancy"));
            Runtime.getRuntime().halt(1);
        }, "sluice-shutdown-halt");
        halter.setDaemon(true);
        halter.start();
        server.close();
        halter.interrupt();
    }

    private static void usage(String problem) {
        if (problem != null) {
            System.err.println("sluice: " + problem);
        }
        System.err.println("usage: java -jar sluice.jar [--config config.toml]");
        System.err.println("       java -jar sluice.jar agent --to http://host:8080 [--help for its options]");
        System.err.println("Settings come from config.toml and SLUICE_* environment variables; see README.md.");
        System.exit(problem == null ? 0 : 2);
    }
}
