package dev.drover.engine;

import dev.drover.config.Durations;
import dev.drover.launch.NotifySocket;
import dev.drover.launch.OsEdge;
import dev.drover.state.Event;
import dev.drover.state.Failure;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The sd_notify side of one run of a {@code notify: true} instance: its private socket (opened
 * before the spawn, closed when the run ends, so nothing said to an earlier run reaches this one),
 * what the child said through it, and its watchdog. Used on its supervisor's thread only, except
 * {@link #facts()} and the listener the notify thread calls.
 *
 * <p>Like systemd's {@code NotifyAccess=all}, any process that can reach the socket speaks for the
 * child: its own children (a shell, {@code systemd-notify}) must be able to. The socket file is
 * mode 0600 in a directory of mode 0700; a child that runs as another {@code user} gets an
 * abstract socket instead, which it can reach without permission on that directory.
 *
 * <p>What arrives is merged into one pending record on the notify thread, and the supervisor is
 * told only when none was pending: a chatty child costs one inbox message per look, not one per
 * datagram.
 */
final class NotifyChannel implements AutoCloseable {
    private static final AtomicLong SEQUENCE = new AtomicLong();
    private static final int MAX_PATH = 107;
    private static final Set<PosixFilePermission> PRIVATE_DIRECTORY = PosixFilePermissions.fromString("rwx------");
    /** At most one "status: …" line per this long; the latest STATUS= is always in {@link #facts()}. */
    static final Duration STATUS_LOG_EVERY = Duration.ofSeconds(1);

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

    private final Duration watchdog;
    /** Told on the notify thread when something becomes pending; it must queue, not act. */
    private final Consumer<NotifyChannel> arrived;
    /** Set once by {@link #open} before it returns; used on the supervisor's thread only. */
    private NotifySocket socket;

    private final Object pendingLock = new Object();
    /** What arrived since {@link #take} last looked, merged; guarded by {@link #pendingLock}. */
    private Notification pending;
    /** The length of the last datagram dropped as too long since {@link #take}, or 0; guarded likewise. */
    private long pendingOversized;
    /** Whether the supervisor has been told of what is pending and has yet to take it; guarded likewise. */
    private boolean told;

    private volatile Facts facts = Facts.NONE;
    /** When the watchdog last saw READY=1 or WATCHDOG=1 (System.nanoTime), or 0 while it is not armed. */
    private long lastPetNanos;
    /** When the last "status: …" line was written (System.nanoTime), or 0 before the first. */
    private long statusLoggedNanos;

    private boolean oversizedLogged;

    private NotifyChannel(Duration watchdog, Consumer<NotifyChannel> arrived) {
        this.watchdog = watchdog;
        this.arrived = arrived;
    }

    /**
     * Opens the socket for a run of {@code instance}: a file in {@code dir}, or an abstract name when
     * the child runs as another user or the path would not fit in sun_path.
     *
     * @param arrived told, on the notify thread, when the channel has something for {@link #take}
     *     and had nothing before; it must queue, not act
     */
    static NotifyChannel open(
            OsEdge os, Path dir, String instance, boolean otherUser, Duration watchdog, Consumer<NotifyChannel> arrived)
            throws IOException {
        long run = SEQUENCE.incrementAndGet();
        Path file = dir.toAbsolutePath().resolve(instance + "-" + run + ".sock");
        boolean fits = file.toString().getBytes(StandardCharsets.UTF_8).length <= MAX_PATH;
        String address = otherUser || !fits ? abstractName(dir, instance, run) : file.toString();
        if (!address.startsWith("@")) {
            privateDirectory(dir);
        }
        // Whole before the socket exists: the notify thread may call it as soon as it is bound.
        NotifyChannel channel = new NotifyChannel(watchdog, arrived);
        channel.socket = os.openNotifySocket(address, channel.new Listener());
        if (!address.startsWith("@")) {
            try {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            } catch (IOException e) {
                channel.socket.close();
                throw e;
            }
        }
        return channel;
    }

    /**
     * Makes {@code dir} mode 0700 before any socket is bound in it, so that nobody else can reach a
     * socket file in the moment between its bind and its chmod.
     */
    private static void privateDirectory(Path dir) throws IOException {
        Files.createDirectories(dir.toAbsolutePath().getParent());
        try {
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PRIVATE_DIRECTORY));
        } catch (FileAlreadyExistsException e) {
            // made by an earlier run or an older Drover: tightened below
        }
        // Also when created: the umask may have taken bits away (never added any).
        if (!Files.getPosixFilePermissions(dir).equals(PRIVATE_DIRECTORY)) {
            Files.setPosixFilePermissions(dir, PRIVATE_DIRECTORY);
        }
    }

    /** Hands what the notify thread reads to the pending record. */
    private final class Listener implements NotifySocket.Listener {
        @Override
        public void received(String message) {
            Notification n = Notification.parse(message);
            boolean tell;
            synchronized (pendingLock) {
                pending = pending == null ? n : pending.then(n);
                tell = !told;
                told = true;
            }
            if (tell) {
                arrived.accept(NotifyChannel.this);
            }
        }

        @Override
        public void oversized(long length) {
            boolean tell;
            synchronized (pendingLock) {
                pendingOversized = length;
                tell = !told;
                told = true;
            }
            if (tell) {
                arrived.accept(NotifyChannel.this);
            }
        }
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
     * Takes what arrived since the last look, records what it says of the child with {@code pid}
     * and returns the lifecycle events it means (see {@link #received}). On the supervisor's thread.
     */
    List<Event> take(int pid, long nowMillis, long nowNanos, Consumer<String> announce) {
        Notification n;
        long oversized;
        synchronized (pendingLock) {
            n = pending;
            oversized = pendingOversized;
            pending = null;
            pendingOversized = 0;
            told = false;
        }
        if (oversized > 0 && !oversizedLogged) {
            oversizedLogged = true;
            announce.accept("ignored an sd_notify message of " + oversized + " bytes (more than "
                    + NotifySocket.MAX_MESSAGE + ", as systemd ignores it); later ones are"
                    + " ignored without a line");
        }
        return n == null ? List.of() : received(n, pid, nowMillis, nowNanos, announce);
    }

    /**
     * Records what {@code n} says of the child with {@code pid} and returns the lifecycle events it
     * means: READY=1 → ready, RELOADING=1 and STOPPING=1 → not ready, WATCHDOG=trigger → failing.
     * READY=1 arms the watchdog; WATCHDOG=1 resets it; STOPPING=1 disarms it for good, as systemd
     * does: a child on its way out owes no more pings.
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
        if (n.status() != null
                && !n.status().equals(was.status())
                && (statusLoggedNanos == 0 || nowNanos - statusLoggedNanos >= STATUS_LOG_EVERY.toNanos())) {
            // A child may change its STATUS= many times a second; the log gets at most one a second.
            statusLoggedNanos = nowNanos;
            announce.accept("status: " + n.status());
        }
        if (n.stopping() && !was.stopping()) {
            events.add(new Event.ReadinessChanged(pid, false, "stopping by itself (STOPPING=1)", nowMillis));
            if (lastPetNanos != 0) {
                lastPetNanos = 0;
                announce.accept("watchdog: off, as it is stopping by itself (STOPPING=1)");
            }
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
