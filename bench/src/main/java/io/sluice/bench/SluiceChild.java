package io.sluice.bench;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

/**
 * Sluice as a child process of the harness, on a database the harness names: only its HTTP port
 * listens (every other listener is set to 0, so it never takes a port another run uses), its
 * output appended to a log file. Settings are passed as {@code SLUICE_<KEY>} environment
 * variables (README "Configuration").
 */
final class SluiceChild {
    private final List<String> command;
    private final Map<String, String> env;
    private final Path log;
    private final int httpPort;
    private Process process;
    private int starts;

    /**
     * @param classpath the Sluice jar, then any further jars (empty: the jar alone, with {@code -jar})
     * @param settings  Sluice settings by key (lower case, as in the README), added to the listeners'
     */
    SluiceChild(Path jar, List<Path> classpath, String jdbcUrl, int httpPort, Path dataDir, Map<String, String> settings,
                Path log) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        command = new ArrayList<>(List.of(java, "-Xmx1g"));
        if (classpath.isEmpty()) {
            command.addAll(List.of("-jar", jar.toString()));
        } else {
            StringBuilder cp = new StringBuilder(jar.toString());
            classpath.forEach(p -> cp.append(File.pathSeparatorChar).append(p));
            command.addAll(List.of("-cp", cp.toString(), "io.sluice.server.Main"));
        }
        Map<String, String> s = new LinkedHashMap<>();
        s.put("database_url", jdbcUrl);
        s.put("http_port", Integer.toString(httpPort));
        for (String other : List.of("udp_line_port", "udp_json_port", "statsd_port", "otlp_http_port")) {
            s.put(other, "0");
        }
        s.put("data_dir", dataDir.toString());
        s.putAll(settings);
        env = new LinkedHashMap<>();
        s.forEach((k, v) -> env.put("SLUICE_" + k.toUpperCase(), v));
        this.log = log;
        this.httpPort = httpPort;
    }

    /** Starts it and waits (up to 120 s) until its HTTP port accepts connections. */
    void start() throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().putAll(env);
        process = pb.start();
        starts++;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!listening()) {
            if (!process.isAlive()) {
                throw new IOException("Sluice exited with " + process.exitValue() + "; see " + log);
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("Sluice did not listen on " + httpPort + " within 120 s; see " + log);
            }
            Thread.sleep(100);
        }
    }

    /** SIGKILL: nothing runs on the way out, nothing drains. */
    void kill() throws InterruptedException {
        if (process != null) {
            process.destroyForcibly();
            process.waitFor();
        }
    }

    /** SIGTERM: Sluice drains its ring into the database, then exits (SIGKILL after 120 s). */
    void stop() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
    }

    OptionalLong pid() {
        return process != null && process.isAlive() ? OptionalLong.of(process.pid()) : OptionalLong.empty();
    }

    int starts() {
        return starts;
    }

    Path log() {
        return log;
    }

    private boolean listening() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", httpPort), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
