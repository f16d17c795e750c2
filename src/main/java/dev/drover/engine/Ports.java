package dev.drover.engine;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;

/** Picks free loopback ports for `port: auto`, never the same one twice in one engine. */
final class Ports {
    private final Set<Integer> given = new HashSet<>();

    int free() {
        for (int attempt = 0; attempt < 100; attempt++) {
            try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                int port = socket.getLocalPort();
                if (given.add(port)) {
                    return port;
                }
            } catch (IOException e) {
                throw new IllegalStateException("no free port: " + e.getMessage(), e);
            }
        }
        throw new IllegalStateException("no free port after 100 attempts");
    }
}
