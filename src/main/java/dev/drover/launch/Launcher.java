package dev.drover.launch;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The OS edge: starts children, reads their output, reaps them and every orphan that reaches this
 * process as child subreaper. One per JVM, because reaping is process-wide: only the code that
 * wires Drover together calls {@link #get()}; everything else receives it as an {@link OsEdge}.
 */
public final class Launcher implements OsEdge {
    /** The environment variable that marks every process a child starts, so escapees can be found. */
    public static final String MARKER_VARIABLE = "DROVER_SPAWN_ID";

    private static Launcher instance;
    private static final int SELF = (int) ProcessHandle.current().pid();
    /** This JVM's identity in markers: its PID and start time, so a recycled PID never matches. */
    private static final String SELF_ID = SELF + "." + ProcStat.read(SELF).startTime();

    private final Reaper reaper;
    private final OutputPump pump = new OutputPump();
    private final NotifyReceiver notifications = new NotifyReceiver();
    private final Cgroups cgroups;
    private final Set<Integer> spawned = ConcurrentHashMap.newKeySet();
    private final AtomicLong sequence = new AtomicLong();
    private final AtomicLong orphansReaped = new AtomicLong();
    private final java.util.concurrent.ExecutorService cgroupMover =
            java.util.concurrent.Executors.newSingleThreadExecutor(r -> Thread.ofPlatform()
                    .name("drover-cgroups")
                    .daemon()
                    .stackSize(256 * 1024)
                    .unstarted(r));

    private Launcher() {
        becomeSubreaper();
        Descriptors.fill();
        reaper = new Reaper(pid -> orphansReaped.incrementAndGet());
        cgroups = Cgroups.detect();
        reaper.start();
        pump.start();
        // A thread blocked in a native call holds the JVM's exit back by 300 ms: wake both.
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            pump.stop();
                            notifications.stop();
                            reaper.stop(java.time.Duration.ofMillis(1_500));
                        },
                        "drover-launcher-stop"));
    }

    public static synchronized Launcher get() {
        if (instance == null) {
            instance = new Launcher();
        }
        return instance;
    }

    public static int selfPid() {
        return SELF;
    }

    /** This JVM's identity, "PID.starttime". */
    static String selfId() {
        return SELF_ID;
    }

    /** The prefix of the markers of every process this JVM started: "<pid>.<start time>-". */
    public static String markerPrefix() {
        return SELF_ID + "-";
    }

    public boolean cgroupsAvailable() {
        return cgroups != null;
    }

    /** How many processes that Drover did not start itself (orphans) it has reaped. */
    public long orphansReaped() {
        return orphansReaped.get();
    }

    @Override
    public boolean threadsAlive() {
        return reaper.alive() && pump.alive() && notifications.alive();
    }

    @Override
    public NotifySocket openNotifySocket(String address, NotifySocket.Listener listener) throws IOException {
        return notifications.open(address, listener);
    }

    boolean isSpawnedChild(int pid) {
        return spawned.contains(pid);
    }

    @Override
    public Child spawn(SpawnSpec spec, OutputSink stdout, OutputSink stderr) throws SpawnException {
        Child child = spawnPaused(spec, stdout, stderr);
        child.startReading();
        return child;
    }

    @Override
    public Child spawnPaused(SpawnSpec spec, OutputSink stdout, OutputSink stderr) throws SpawnException {
        String marker = MARKER_VARIABLE + "=" + SELF_ID + "-" + sequence.incrementAndGet();
        Map<String, String> env = new HashMap<>(spec.env());
        env.put(MARKER_VARIABLE, marker.substring(MARKER_VARIABLE.length() + 1));
        Path cgroup = null;
        if (cgroups != null && spec.cgroupLabel() != null) {
            try {
                cgroup = cgroups.take(spec.cgroupLabel());
            } catch (IOException e) {
                cgroup = null;
            }
        }
        CompletableFuture<ExitStatus> exit = new CompletableFuture<>();
        Spawner.Spawned started;
        try {
            started = reaper.spawnAndRegister(
                    new Reaper.SpawnAction<>() {
                        @Override
                        public Spawner.Spawned spawn() throws SpawnException {
                            Spawner.Spawned s = Spawner.spawn(spec.argv(), env, spec.cwd());
                            spawned.add(s.pid());
                            return s;
                        }

                        @Override
                        public int pid(Spawner.Spawned result) {
                            return result.pid();
                        }
                    },
                    exit);
        } catch (SpawnException e) {
            if (cgroup != null) {
                Cgroups.remove(cgroup);
            }
            throw e;
        }
        int pid = started.pid();
        exit.whenComplete((status, error) -> spawned.remove(pid));
        ProcStat stat;
        try {
            stat = ProcStat.read(pid);
        } catch (Descriptors.ExhaustedException e) {
            stat = null; // no start time: it is still stopped through its process group and cgroup
        }
        ChildTree tree = new ChildTree(pid, cgroup, marker, this::isSpawnedChild);
        Child child = new Child(pid, stat == null ? -1 : stat.startTime(), tree, exit, () -> {
            pump.register(started.stdoutFd(), stdout);
            pump.register(started.stderrFd(), stderr);
        });
        if (cgroup != null) {
            // Moving a process between cgroups takes the kernel a millisecond or more (it waits for
            // an RCU grace period): done on a thread of its own so that spawning is not held up.
            // Until it is done, the session, tree and marker walk covers the child.
            Path target = cgroup;
            String label = spec.cgroupLabel();
            cgroupMover.execute(() -> {
                try {
                    Cgroups.attach(target, pid);
                    child.movedIntoCgroup();
                } catch (IOException e) {
                    // it exited already
                }
                cgroups.makeAhead(label);
            });
        }
        return child;
    }

    private static void becomeSubreaper() {
        try {
            int ignored = (int) Libc.prctl.invokeExact(Libc.PR_SET_CHILD_SUBREAPER, 1L, 0L, 0L, 0L);
        } catch (Throwable t) {
            throw new IllegalStateException("prctl(PR_SET_CHILD_SUBREAPER)", t);
        }
    }
}
