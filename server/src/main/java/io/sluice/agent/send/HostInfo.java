package io.sluice.agent.send;

/** What the agent tells the fleet API about its machine. */
public record HostInfo(String hostname, String ipAddress, String os, String agentVersion) {
}
