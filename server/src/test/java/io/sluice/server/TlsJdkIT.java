package io.sluice.server;

/**
 * Every TLS behaviour of {@link TlsIT} with {@code tls_provider = "jdk"}: what serves on a
 * platform where BoringSSL does not load, and what an operator may choose.
 */
class TlsJdkIT extends TlsIT {
    @Override
    String providerSetting() {
        return "jdk";
    }

    @Override
    String expectedProvider() {
        return "JDK";
    }
}
