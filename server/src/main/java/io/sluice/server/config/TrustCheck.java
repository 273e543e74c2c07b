package io.sluice.server.config;

import io.sluice.server.net.AllowList;
import io.sluice.server.net.TlsProviders;
import io.sluice.server.protocol.Protocol;
import io.sluice.server.protocol.Protocols;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The trust settings taken together (README "Trust"): secure by default means a Sluice without
 * tokens listens on loopback only, and UDP, which carries no token, takes datagrams only from the
 * sources it is told to once it listens elsewhere. Each problem is one line naming the keys to set.
 */
final class TrustCheck {
    private TrustCheck() {
    }

    /** A protocol's token-less listener ports that are open (not 0). */
    private static List<String> openPorts(Protocol p, Map<String, Object> v) {
        return Keys.tokenlessPorts(p).stream().filter(k -> v.get(k) instanceof Integer port && port > 0).toList();
    }

    static void check(Map<String, Object> v, List<String> errors) {
        String auth = (String) v.get("auth");
        if (!auth.equals("on") && !auth.equals("off")) {
            errors.add("auth: '" + auth + "' is not \"on\" or \"off\"");
            return;
        }
        if ((v.get("tls_cert") == null) != (v.get("tls_key") == null)) {
            errors.add("tls_cert and tls_key: set both (the certificate chain and its private key, PEM) or neither");
        }
        if (v.get("tls_client_ca") != null && v.get("tls_cert") == null) {
            errors.add("tls_client_ca: client certificates need TLS: set tls_cert and tls_key too");
        }
        String provider = (String) v.get("tls_provider");
        if (!provider.equals(TlsProviders.AUTO)) {
            try {
                TlsProviders.choose(provider); // "openssl" where BoringSSL does not load: the reason, at start
            } catch (IllegalArgumentException e) {
                errors.add(e.getMessage());
            }
        }
        List<String> allowKeys = new ArrayList<>(List.of("udp_allow"));
        Protocols.ALL.stream().filter(p -> !Keys.tokenlessPorts(p).isEmpty()).forEach(p -> allowKeys.add(Keys.allowKey(p.name())));
        for (String key : allowKeys) {
            @SuppressWarnings("unchecked")
            List<String> cidrs = (List<String>) v.get(key);
            if (cidrs != null) {
                try {
                    AllowList.parse(cidrs);
                } catch (IllegalArgumentException e) {
                    errors.add(key + ": " + e.getMessage());
                }
            }
        }
        String bind = (String) v.get("bind_address");
        boolean loopback;
        try {
            loopback = InetAddress.getByName(bind).isLoopbackAddress();
        } catch (UnknownHostException e) {
            errors.add("bind_address: '" + bind + "' is not an address of this machine");
            return;
        }
        if (loopback) {
            return;
        }
        if (auth.equals("on") && v.get("auth_tokens_file") == null) {
            errors.add("bind_address: " + bind + " is not loopback and no tokens are configured: set auth_tokens_file"
                    + " (README \"Trust\"), or auth = \"off\" to serve without tokens, or bind_address = \"127.0.0.1\"");
        }
        List<String> open = new ArrayList<>();
        for (Protocol p : Protocols.ALL) {
            if (v.get("udp_allow") == null && v.get(Keys.allowKey(p.name())) == null) {
                open.addAll(openPorts(p, v));
            }
        }
        if (!open.isEmpty()) {
            errors.add("udp_allow: required when bind_address (" + bind + ") is not loopback, since the listeners of "
                    + String.join(", ", open) + " carry no token: list the senders' CIDR blocks, e.g. udp_allow ="
                    + " [\"10.0.0.0/8\"] (or <protocol>_allow), or set " + String.join(" = 0, ", open) + " = 0");
        }
    }
}
