package io.sluice.server.net;

import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslProvider;

import javax.net.ssl.SSLContext;
import java.security.NoSuchAlgorithmException;

/**
 * Which TLS implementation serves the HTTP port ({@code tls_provider}, README "TLS"): BoringSSL
 * through netty-tcnative, which Sluice ships for linux-x86_64 and which costs a fifth of the JDK's
 * CPU per row (docs/BENCHMARKS.md, "What tokens and TLS cost ingest"), or the JDK's own provider,
 * which serves where the native library does not load (another OS or architecture).
 */
public final class TlsProviders {
    public static final String AUTO = "auto";
    public static final String OPENSSL = "openssl";
    public static final String JDK = "jdk";

    private TlsProviders() {
    }

    /**
     * The provider a setting stands for here.
     *
     * @throws IllegalArgumentException naming the key and why, for a value that is none of the
     *                                  three, or for {@code openssl} where BoringSSL does not load
     */
    public static SslProvider choose(String setting) {
        return switch (setting) {
            case AUTO -> OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
            case JDK -> SslProvider.JDK;
            case OPENSSL -> {
                if (!OpenSsl.isAvailable()) {
                    throw new IllegalArgumentException("tls_provider: \"openssl\", but BoringSSL (netty-tcnative) does not load"
                            + " on this machine (" + System.getProperty("os.name") + " " + System.getProperty("os.arch")
                            + "; Sluice ships it for Linux x86_64): " + why(OpenSsl.unavailabilityCause())
                            + "; set tls_provider = \"auto\" or \"jdk\" to use the JDK's provider");
                }
                yield SslProvider.OPENSSL;
            }
            default -> throw new IllegalArgumentException("tls_provider: '" + setting + "' is not \"auto\", \"openssl\" or \"jdk\"");
        };
    }

    /** What serves, for the start-up line: the native library's version, or the JDK's provider. */
    static String library(SslProvider p) {
        if (p != SslProvider.JDK) {
            return OpenSsl.versionString();
        }
        try {
            return SSLContext.getDefault().getProvider().getName();
        } catch (NoSuchAlgorithmException e) {
            return "JDK";
        }
    }

    private static String why(Throwable cause) {
        if (cause == null) {
            return "no reason given";
        }
        Throwable root = cause;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root == cause ? String.valueOf(cause.getMessage()) : cause.getMessage() + " (" + root.getMessage() + ")";
    }
}
