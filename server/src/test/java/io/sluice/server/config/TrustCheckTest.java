package io.sluice.server.config;

import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslProvider;
import io.sluice.server.net.TlsProviders;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** Secure by default (README "Trust"): what start-up refuses, each with one line naming the keys to set. */
class TrustCheckTest {
    static List<String> problems(Map<String, String> env) {
        return catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(null, false, env)).problems();
    }

    @Test
    void theDefaultsListenOnLoopbackWithoutTokens() {
        Config c = ConfigLoader.load(null, false, Map.of());
        assertThat(c.bindAddress()).isEqualTo("127.0.0.1");
        assertThat(c.authTokensFile()).isNull();
        assertThat(c.authOff()).isFalse();
        assertThat(c.sourceAllow("influx")).isNull();
        assertThat(ConfigLoader.load(null, false, Map.of("SLUICE_BIND_ADDRESS", "localhost")).bindAddress()).isEqualTo("localhost");
        assertThat(ConfigLoader.load(null, false, Map.of("SLUICE_BIND_ADDRESS", "::1")).bindAddress()).isEqualTo("::1");
    }

    @Test
    void anotherAddressWithoutTokensIsRefusedInOneLineNamingTheKeys() {
        List<String> p = problems(Map.of("SLUICE_BIND_ADDRESS", "0.0.0.0", "SLUICE_UDP_ALLOW", "10.0.0.0/8"));
        assertThat(p).containsExactly("bind_address: 0.0.0.0 is not loopback and no tokens are configured: set"
                + " auth_tokens_file (README \"Trust\"), or auth = \"off\" to serve without tokens, or bind_address = \"127.0.0.1\"");
    }

    @Test
    void anotherAddressWithUdpListenersNeedsAnAllowList() {
        List<String> p = problems(Map.of("SLUICE_BIND_ADDRESS", "0.0.0.0", "SLUICE_AUTH_TOKENS_FILE", "tokens.toml"));
        assertThat(p).hasSize(1);
        assertThat(p.get(0)).isEqualTo("udp_allow: required when bind_address (0.0.0.0) is not loopback, since the"
                + " listeners of udp_line_port, udp_json_port, statsd_port carry no token: list the senders' CIDR blocks,"
                + " e.g. udp_allow = [\"10.0.0.0/8\"] (or <protocol>_allow), or set udp_line_port = 0, udp_json_port = 0,"
                + " statsd_port = 0");
        // One protocol's own list covers its listeners only.
        assertThat(problems(Map.of("SLUICE_BIND_ADDRESS", "0.0.0.0", "SLUICE_AUTH_TOKENS_FILE", "t.toml",
                "SLUICE_STATSD_ALLOW", "10.0.0.0/8")).get(0)).contains("udp_line_port, udp_json_port carry").doesNotContain("statsd_port");
        // Per protocol, or with the listeners off, it starts.
        ConfigLoader.load(null, false, Map.of("SLUICE_BIND_ADDRESS", "0.0.0.0", "SLUICE_AUTH_TOKENS_FILE", "t.toml",
                "SLUICE_INFLUX_ALLOW", "10.0.0.0/8", "SLUICE_JSON_ALLOW", "10.1.0.0/16", "SLUICE_STATSD_ALLOW", "10.2.0.0/16"));
        ConfigLoader.load(null, false, Map.of("SLUICE_BIND_ADDRESS", "0.0.0.0", "SLUICE_AUTH_TOKENS_FILE", "t.toml",
                "SLUICE_UDP_LINE_PORT", "0", "SLUICE_UDP_JSON_PORT", "0", "SLUICE_STATSD_PORT", "0"));
    }

    @Test
    void authOffServesAnotherAddressWithoutTokens() {
        Config c = ConfigLoader.load(null, false, Map.of("SLUICE_BIND_ADDRESS", "0.0.0.0", "SLUICE_AUTH", "off",
                "SLUICE_UDP_ALLOW", "0.0.0.0/0, ::/0"));
        assertThat(c.authOff()).isTrue();
        assertThat(c.sourceAllow("statsd")).containsExactly("0.0.0.0/0", "::/0");
    }

    @Test
    void badTrustSettingsAreEachNamed() {
        assertThat(problems(Map.of("SLUICE_AUTH", "maybe"))).containsExactly("auth: 'maybe' is not \"on\" or \"off\"");
        assertThat(problems(Map.of("SLUICE_TLS_CERT", "c.pem"))).containsExactly(
                "tls_cert and tls_key: set both (the certificate chain and its private key, PEM) or neither");
        assertThat(problems(Map.of("SLUICE_TLS_CLIENT_CA", "ca.pem"))).containsExactly(
                "tls_client_ca: client certificates need TLS: set tls_cert and tls_key too");
        assertThat(problems(Map.of("SLUICE_TLS_PROVIDER", "boringssl"))).containsExactly(
                "tls_provider: 'boringssl' is not \"auto\", \"openssl\" or \"jdk\"");
        assertThat(problems(Map.of("SLUICE_UDP_ALLOW", "10.0.0.0/8,10.0.0.300"))).containsExactly(
                "udp_allow: '10.0.0.300' is not an IP address or CIDR block like 10.0.0.0/8");
        assertThat(problems(Map.of("SLUICE_BIND_ADDRESS", "no-such-host.invalid")).get(0)).startsWith("bind_address:");
    }

    @Test
    void theTlsProviderIsBoringSslWhereItLoadsAndTheJdksOnRequest() {
        // The build ships netty-tcnative for linux-x86_64, where this runs.
        assertThat(OpenSsl.isAvailable()).as("BoringSSL loads here").isTrue();
        assertThat(ConfigLoader.load(null, false, Map.of()).tlsProvider()).isEqualTo("auto");
        assertThat(TlsProviders.choose("auto")).isEqualTo(SslProvider.OPENSSL);
        assertThat(TlsProviders.choose("openssl")).isEqualTo(SslProvider.OPENSSL);
        assertThat(TlsProviders.choose("jdk")).isEqualTo(SslProvider.JDK);
    }

    @Test
    void listsComeFromTomlArraysOrCommaSeparatedVariables() throws Exception {
        java.nio.file.Path toml = java.nio.file.Files.createTempFile("sluice", ".toml");
        java.nio.file.Files.writeString(toml, "cors_allowed_origins = [\"https://a.example\", \"https://b.example\"]\n");
        assertThat(ConfigLoader.load(toml, true, Map.of()).corsAllowedOrigins())
                .containsExactly("https://a.example", "https://b.example");
        assertThat(ConfigLoader.load(null, false, Map.of("SLUICE_CORS_ALLOWED_ORIGINS", " https://a.example ,,*"))
                .corsAllowedOrigins()).containsExactly("https://a.example", "*");
        java.nio.file.Files.delete(toml);
    }
}
