package io.sluice.agent;

import io.sluice.server.config.Durations;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code java -jar sluice.jar agent --to URL ...}: watch this machine and send it to a Sluice. */
@Command(name = "sluice.jar agent", mixinStandardHelpOptions = true, sortOptions = false,
        versionProvider = AgentCommand.Version.class,
        description = "Collects this machine's CPU, memory, disks, network and GPUs every interval and sends them "
                + "to a Sluice (the fleet API, or line protocol to /write). See README.md, \"Watch a machine\".")
public final class AgentCommand implements Callable<Integer> {
    @Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--to", required = true, paramLabel = "URL", description = "The Sluice, e.g. http://host:8080.")
    String to;

    @Option(names = "--interval", defaultValue = "10s", paramLabel = "DURATION",
            description = "How often to collect (at least 1s). Default: ${DEFAULT-VALUE}.")
    String interval;

    @Option(names = "--tags", paramLabel = "k=v,...", split = ",",
            description = "Labels of this host (fleet API) or tags on every line (line protocol).")
    Map<String, String> tags = new LinkedHashMap<>();

    @Option(names = "--token", defaultValue = "${env:SLUICE_TOKEN}", paramLabel = "TOKEN",
            description = "Sent as 'Authorization: Bearer TOKEN'. Default: the SLUICE_TOKEN environment variable.")
    String token;

    @Option(names = "--format", defaultValue = "fleet", paramLabel = "fleet|line",
            description = "fleet: register and POST /api/v1/ingest; line: Telegraf-named line protocol to /write. "
                    + "Default: ${DEFAULT-VALUE}.")
    AgentOptions.Format format;

    @Option(names = "--buffer", defaultValue = "100000", paramLabel = "N",
            description = "Samples kept while the server is down or slow; then the oldest are dropped. "
                    + "Default: ${DEFAULT-VALUE}.")
    int buffer;

    @Option(names = "--hostname", paramLabel = "NAME", description = "Name to register and tag as. Default: the machine's.")
    String hostname;

    @Option(names = "--timeout", defaultValue = "60s", paramLabel = "DURATION",
            description = "How long one request may take. Default: ${DEFAULT-VALUE}.")
    String timeout;

    @Option(names = "--max-backoff", defaultValue = "60s", paramLabel = "DURATION",
            description = "Longest wait between retries while the server is down. Default: ${DEFAULT-VALUE}.")
    String maxBackoff;

    /** Runs the command until the process is stopped; returns the exit code. */
    public static int run(String... args) {
        return new CommandLine(new AgentCommand()).execute(args);
    }

    @Override
    public Integer call() throws InterruptedException {
        Agent agent = Agent.start(options());
        Runtime.getRuntime().addShutdownHook(new Thread(agent::close, "sluice-agent-shutdown"));
        agent.await();
        return 0;
    }

    /** The options, checked; a wrong one is a usage error naming it. */
    AgentOptions options() {
        URI uri;
        try {
            uri = URI.create(to.trim());
        } catch (IllegalArgumentException e) {
            throw bad("--to: '" + to + "' is not a URL: " + e.getMessage());
        }
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
            throw bad("--to: '" + to + "' must be an http:// or https:// URL with a host, e.g. http://host:8080");
        }
        Duration every = duration("--interval", interval);
        if (every.compareTo(Duration.ofSeconds(1)) < 0) {
            throw bad("--interval: " + interval + " is under the minimum of 1s");
        }
        if (buffer < 1 || buffer > 10_000_000) {
            throw bad("--buffer: " + buffer + " is out of range [1, 10000000]");
        }
        tags.forEach((k, v) -> {
            if (k.isBlank() || v == null || v.isBlank()) {
                throw bad("--tags: each must be key=value with neither empty, got '" + k + "=" + v + "'");
            }
        });
        if (hostname != null && hostname.isBlank()) {
            throw bad("--hostname: must not be empty");
        }
        return new AgentOptions(uri, every, tags, token, format, buffer, hostname, duration("--timeout", timeout),
                duration("--max-backoff", maxBackoff));
    }

    private Duration duration(String option, String value) {
        try {
            Duration d = Durations.parse(value);
            if (d.isZero()) {
                throw bad(option + ": must be more than 0");
            }
            return d;
        } catch (IllegalArgumentException e) {
            throw bad(option + ": " + e.getMessage());
        }
    }

    private ParameterException bad(String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    /** {@code --version}: the jar's version. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"sluice agent " + HostFacts.version()};
        }
    }
}
