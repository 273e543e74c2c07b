package io.sluice.agent;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class AgentCommandTest {
    /** Parses like {@code sluice.jar agent ARGS} and returns the options, without starting anything. */
    private static AgentOptions parse(String... args) {
        AgentCommand c = new AgentCommand();
        new CommandLine(c).parseArgs(args);
        return c.options();
    }

    /** Runs the command as the jar does; a wrong option never gets as far as starting the agent. */
    private static String usageError(String... args) {
        StringWriter err = new StringWriter();
        int code = new CommandLine(new AgentCommand()).setErr(new PrintWriter(err)).execute(args);
        assertThat(code).isEqualTo(2);
        return err.toString();
    }

    @Test
    void defaultsAreThoseTheReadmeNames() {
        AgentOptions o = parse("--to", "http://sluice:8080");
        assertThat(o.to().toString()).isEqualTo("http://sluice:8080");
        assertThat(o.interval()).isEqualTo(Duration.ofSeconds(10));
        assertThat(o.format()).isEqualTo(AgentOptions.Format.fleet);
        assertThat(o.buffer()).isEqualTo(100_000);
        assertThat(o.tags()).isEmpty();
        assertThat(o.timeout()).isEqualTo(Duration.ofSeconds(60));
    }

    @Test
    void everyOptionIsRead() {
        AgentOptions o = parse("--to", "https://h/", "--interval", "30s", "--tags", "env=prod,role=web", "--token", "t0k",
                "--format", "line", "--buffer", "500", "--hostname", "db-1", "--timeout", "5s", "--max-backoff", "2m");
        assertThat(o.tags()).isEqualTo(Map.of("env", "prod", "role", "web"));
        assertThat(o.token()).isEqualTo("t0k");
        assertThat(o.format()).isEqualTo(AgentOptions.Format.line);
        assertThat(o.buffer()).isEqualTo(500);
        assertThat(o.hostname()).isEqualTo("db-1");
        assertThat(o.maxBackoff()).isEqualTo(Duration.ofMinutes(2));
    }

    @Test
    void aWrongOptionIsAUsageErrorNamingIt() {
        assertThat(usageError()).contains("--to");
        assertThat(usageError("--to", "ftp://h")).contains("--to: 'ftp://h' must be an http:// or https:// URL");
        assertThat(usageError("--to", "http://h", "--interval", "500ms")).contains("--interval: 500ms is under the minimum of 1s");
        assertThat(usageError("--to", "http://h", "--interval", "soon")).contains("--interval: 'soon' is not a duration");
        assertThat(usageError("--to", "http://h", "--buffer", "0")).contains("--buffer: 0 is out of range");
        assertThat(usageError("--to", "http://h", "--tags", "env=")).contains("--tags: each must be key=value");
        assertThat(usageError("--to", "http://h", "--format", "json")).contains("--format");
    }
}
