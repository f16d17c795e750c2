package dev.drover.health;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;

/** Succeeds when a TCP connection to host:port is accepted. */
public record TcpProbe(String host, int port) implements Probe {
    /** Parses "host:port" (an IPv6 host in brackets). */
    public static TcpProbe parse(String address) {
        int colon = address.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("expected host:port, got " + address);
        }
        String host = address.substring(0, colon).replace("[", "").replace("]", "");
        return new TcpProbe(host, Integer.parseInt(address.substring(colon + 1)));
    }

    @Override
    public ProbeResult check(Duration timeout) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), (int) Math.max(1, timeout.toMillis()));
            return ProbeResult.ok("connected to " + host + ":" + port);
        } catch (IOException e) {
            return ProbeResult.failed("tcp " + host + ":" + port + ": " + e.getMessage());
        }
    }
}
