package io.sluice.agent;

import io.sluice.agent.send.HostInfo;
import oshi.software.os.OperatingSystem;

import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Properties;

/** The machine's name, address, system and the agent's version, as registered with the fleet API. */
final class HostFacts {
    private HostFacts() {
    }

    static HostInfo of(AgentOptions o, OperatingSystem os) {
        String hostname = o.hostname() != null ? o.hostname() : os.getNetworkParams().getHostName();
        if (hostname == null || hostname.isBlank()) {
            hostname = "localhost";
        }
        return new HostInfo(hostname, addressTowards(o.to().getHost(), o.to().getPort()),
                os.getFamily() + " " + os.getVersionInfo(), version());
    }

    /**
     * The local address the machine uses to reach the server: connecting a UDP socket sends
     * nothing but makes the kernel choose the route and source address.
     */
    static String addressTowards(String host, int port) {
        try (DatagramSocket s = new DatagramSocket()) {
            s.connect(new InetSocketAddress(InetAddress.getByName(host), port > 0 ? port : 80));
            InetAddress local = s.getLocalAddress();
            return local == null || local.isAnyLocalAddress() ? InetAddress.getLocalHost().getHostAddress()
                    : local.getHostAddress();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** The version Maven wrote into the jar; "dev" when run from classes. */
    static String version() {
        try (InputStream in = HostFacts.class.getResourceAsStream("/META-INF/maven/io.sluice/sluice-server/pom.properties")) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                return p.getProperty("version", "dev");
            }
        } catch (IOException e) {
            // fall through
        }
        return "dev";
    }
}
