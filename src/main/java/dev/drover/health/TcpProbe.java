package dev.drover.health;

import dev.drover.config.HostPort;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;

/** Succeeds when a TCP connection to host:port is accepted. */
public record TcpProbe(String host, int port) implements Probe {
    /** Parses "host:port" (an IPv6 host in brackets). */
    public static TcpProbe parse(String address) {
        HostPort parsed = HostPort.parse(address);
        return new TcpProbe(parsed.host(), parsed.port());
    }

    @Override
    public ProbeResult check(Duration timeout) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), (int) Math.max(1, timeout.toMillis()));
            return ProbeResult.ok("connected to " + host + ":" + port);
        } catch (java.net.ConnectException e) {
            return ProbeResult.failed("tcp " + host + ":" + port + ": connection refused");
        } catch (java.net.SocketTimeoutException e) {
            return ProbeResult.failed("tcp " + host + ":" + port + ": timed out after " + timeout.toMillis() + "ms");
        } catch (IOException e) {
            return ProbeResult.failed("tcp " + host + ":" + port + ": " + e.getMessage());
        }
    }
}
