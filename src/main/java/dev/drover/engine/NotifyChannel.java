package dev.drover.engine;

import dev.drover.config.Durations;
import dev.drover.launch.NotifySocket;
import dev.drover.launch.OsEdge;
import dev.drover.state.Event;
import dev.drover.state.Failure;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The sd_notify side of one run of a {@code notify: true} instance: its private socket (opened
 * before the spawn, closed when the run ends, so nothing said to an earlier run reaches this one),
 * what the child said through it, and its watchdog. Used on its supervisor's thread only, except
 * {@link #facts()}.
 *
 * <p>Like systemd's {@code NotifyAccess=all}, any process that can reach the socket speaks for the
 * child: its own children (a shell, {@code systemd-notify}) must be able to. The socket file is
 * mode 0600 in Drover's runtime directory; a child that runs as another {@code user} gets an
 * abstract socket instead, which it can reach without permission on that directory.
 */
final class NotifyChannel implements AutoCloseable {
    private static final AtomicLong SEQUENCE = new AtomicLong();
    private static final int MAX_PATH = 107;

    /**
     * What the child said, as `ps` and the API show it.
     *
     * @param status its last STATUS= text, or null
     * @param mainPid the PID it named with MAINPID=, or 0
     * @param stopping it said STOPPING=1: it is on its way out by itself
     * @param lastWatchdogMillis when its last WATCHDOG=1 came (epoch ms), or 0
     */
    record Facts(String status, int mainPid, boolean stopping, long lastWatchdogMillis) {
        static final Facts NONE = new Facts(null, 0, false, 0);
    }

    private final NotifySocket socket;
    private final Duration watchdog;
    private volatile Facts facts = Facts.NONE;
    /** When the watchdog last saw READY=1 or WATCHDOG=1 (System.nanoTime), or 0 before it is armed. */
    private long lastPetNanos;

    private NotifyChannel(NotifySocket socket, Duration watchdog) {
        this.socket = socket;
        this.watchdog = watchdog;
    }

    /**
     * Opens the socket for a run of {@code instance}: a file in {@code dir}, or an abstract name when
     * the child runs as another user or the path would not fit in sun_path.
     *
     * @param delivered told each message; called on the notify thread, so it must queue, not act
     */
    static NotifyChannel open(
            OsEdge os,
            Path dir,
            String instance,
            boolean otherUser,
            Duration watchdog,
            java.util.function.BiConsumer<NotifyChannel, String> delivered)
            throws IOException {
        long run = SEQUENCE.incrementAndGet();
        Path file = dir.toAbsolutePath().resolve(instance + "-" + run + ".sock");
        boolean fits = file.toString().getBytes(StandardCharsets.UTF_8).length <= MAX_PATH;
        String address = otherUser || !fits ? abstractName(dir, instance, run) : file.toString();
        if (!address.startsWith("@")) {
            Files.createDirectories(dir);
        }
        NotifyChannel[] self = new NotifyChannel[1];
        NotifySocket socket = os.openNotifySocket(address, message -> delivered.accept(self[0], message));
        self[0] = new NotifyChannel(socket, watchdog);
        if (!address.startsWith("@")) {
            try {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            } catch (IOException e) {
                socket.close();
                throw e;
            }
        }
        return self[0];
    }

    /** {@code @drover/<hash of the runtime dir>/<instance>-<run>}, unique per project and run, within 107 bytes. */
    private static String abstractName(Path dir, String instance, long run) {
        String hash;
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(dir.toAbsolutePath().toString().getBytes(StandardCharsets.UTF_8));
            hash = HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        String tail = "-" + run;
        String name = "@drover/" + hash + "/" + instance;
        int room = MAX_PATH - tail.length();
        return (name.length() > room ? name.substring(0, room) : name) + tail;
    }

    /** {@code env} with NOTIFY_SOCKET and, with a watchdog, WATCHDOG_USEC. */
    Map<String, String> environment(Map<String, String> env) {
        Map<String, String> out = new LinkedHashMap<>(env);
        out.put("NOTIFY_SOCKET", socket.address());
        if (watchdog != null) {
            // WATCHDOG_PID is left unset: the PID is not known before exec, and sd_watchdog_enabled
            // and systemd-notify take an unset WATCHDOG_PID as "for this process".
            out.put("WATCHDOG_USEC", Long.toString(watchdog.toNanos() / 1000));
        }
        return Map.copyOf(out);
    }

    String address() {
        return socket.address();
    }

    Facts facts() {
        return facts;
    }

    /** The watchdog's timeout, or null without one. */
    Duration watchdog() {
        return watchdog;
    }

    boolean watchdogArmed() {
        return lastPetNanos != 0;
    }

    /**
     * Records what {@code n} says of the child with {@code pid} and returns the lifecycle events it
     * means: READY=1 → ready, RELOADING=1 and STOPPING=1 → not ready, WATCHDOG=trigger → failing.
     * READY=1 arms the watchdog; WATCHDOG=1 resets it.
     */
    List<Event> received(Notification n, int pid, long nowMillis, long nowNanos, Consumer<String> announce) {
        List<Event> events = new ArrayList<>();
        Facts was = facts;
        Facts now = new Facts(
                n.status() != null ? n.status() : was.status(),
                n.mainPid() != 0 ? n.mainPid() : was.mainPid(),
                was.stopping() || n.stopping(),
                n.watchdog() ? nowMillis : was.lastWatchdogMillis());
        facts = now;
        if (n.mainPid() != 0 && n.mainPid() != was.mainPid()) {
            announce.accept("MAINPID=" + n.mainPid() + " recorded; Drover goes on supervising pid " + pid
                    + " and what it starts");
        }
        if (n.status() != null && !n.status().equals(was.status())) {
            announce.accept("status: " + n.status());
        }
        if (n.stopping() && !was.stopping()) {
            events.add(new Event.ReadinessChanged(pid, false, "stopping by itself (STOPPING=1)", nowMillis));
        } else if (n.reloading()) {
            events.add(new Event.ReadinessChanged(pid, false, "reloading (RELOADING=1)", nowMillis));
        }
        if (n.ready() && !now.stopping() && !n.reloading()) {
            events.add(new Event.ReadinessChanged(pid, true, "READY=1", nowMillis));
            if (watchdog != null && lastPetNanos == 0) {
                lastPetNanos = nowNanos;
                announce.accept("watchdog: expects WATCHDOG=1 at least every " + Durations.format(watchdog));
            }
        }
        if (n.watchdog() && lastPetNanos != 0) {
            lastPetNanos = nowNanos;
        }
        if (n.watchdogTrigger()) {
            // As systemd: honoured with or without a watchdog timeout configured.
            events.add(new Event.Failing(
                    pid, new Failure.Watchdog(watchdog == null ? Duration.ZERO : watchdog, true), nowMillis));
        }
        return events;
    }

    /** How long until the watchdog expires; zero or negative once it has. Only while it is armed. */
    Duration watchdogLeft(long nowNanos) {
        return watchdog.minusNanos(nowNanos - lastPetNanos);
    }

    @Override
    public void close() {
        socket.close();
    }
}
