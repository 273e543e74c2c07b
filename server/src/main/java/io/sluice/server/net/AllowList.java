package io.sluice.server.net;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * Source addresses as CIDR blocks (RFC 4632; IPv6 prefixes as in RFC 4291 section 2.3), e.g.
 * {@code 10.0.0.0/8}, {@code 192.168.1.7}, {@code fd00::/8}. A bare address is a block of one.
 */
public final class AllowList {
    public static final AllowList LOOPBACK = parse(List.of("127.0.0.0/8", "::1/128"));
    public static final AllowList ANY = parse(List.of("0.0.0.0/0", "::/0"));

    private record Block(byte[] network, int prefix) {
        boolean contains(byte[] a) {
            if (a.length != network.length) {
                return false;
            }
            int full = prefix / 8;
            for (int i = 0; i < full; i++) {
                if (a[i] != network[i]) {
                    return false;
                }
            }
            int rest = prefix % 8;
            if (rest == 0) {
                return true;
            }
            int mask = 0xFF << (8 - rest) & 0xFF;
            return (a[full] & mask) == (network[full] & mask);
        }
    }

    private final List<Block> blocks;
    private final List<String> text;

    private AllowList(List<Block> blocks, List<String> text) {
        this.blocks = List.copyOf(blocks);
        this.text = List.copyOf(text);
    }

    /** @throws IllegalArgumentException naming the first entry that is not an address or CIDR block */
    public static AllowList parse(List<String> cidrs) {
        List<Block> blocks = new ArrayList<>();
        for (String c : cidrs) {
            blocks.add(block(c.trim()));
        }
        return new AllowList(blocks, cidrs);
    }

    private static Block block(String cidr) {
        int slash = cidr.indexOf('/');
        String addr = slash < 0 ? cidr : cidr.substring(0, slash);
        // Only literals: a host name here would make start-up wait on DNS and mean something else later.
        if (addr.isEmpty() || !addr.matches("[0-9a-fA-F:.]+")) {
            throw new IllegalArgumentException("'" + cidr + "' is not an IP address or CIDR block like 10.0.0.0/8");
        }
        byte[] network;
        try {
            network = InetAddress.getByName(addr).getAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("'" + cidr + "' is not an IP address or CIDR block like 10.0.0.0/8");
        }
        int bits = network.length * 8;
        int prefix = bits;
        if (slash >= 0) {
            try {
                prefix = Integer.parseInt(cidr.substring(slash + 1));
            } catch (NumberFormatException e) {
                prefix = -1;
            }
            if (prefix < 0 || prefix > bits) {
                throw new IllegalArgumentException("'" + cidr + "': the prefix length must be 0 to " + bits);
            }
        }
        return new Block(network, prefix);
    }

    public boolean allows(InetAddress a) {
        byte[] b = a.getAddress();
        for (Block block : blocks) {
            if (block.contains(b)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return String.join(",", text);
    }
}
