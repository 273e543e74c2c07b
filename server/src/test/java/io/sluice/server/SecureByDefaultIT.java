package io.sluice.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A real Sluice process asked to listen on every address without tokens does not start, and says
 * in one line which keys to set (README "Trust").
 */
class SecureByDefaultIT {
    @TempDir
    Path dir;

    @Test
    void startUpRefusesANetworkAddressWithoutTokensInOneLine() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), "io.sluice.server.Main");
        pb.environment().put("SLUICE_BIND_ADDRESS", "0.0.0.0");
        pb.environment().put("SLUICE_UDP_ALLOW", "10.0.0.0/8");
        pb.environment().remove("SLUICE_CONFIG");
        pb.directory(dir.toFile()); // no config.toml there
        Process p = pb.start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        List<String> err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        assertThat(p.exitValue()).isEqualTo(2);
        assertThat(err).containsExactly("sluice: configuration error: bind_address: 0.0.0.0 is not loopback and no tokens"
                + " are configured: set auth_tokens_file (README \"Trust\"), or auth = \"off\" to serve without tokens,"
                + " or bind_address = \"127.0.0.1\"");
    }
}
