package dev.drover.launch;

import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * Measures a child and everything it started: the processes in its cgroup and those found through
 * /proc. CPU time comes from the cgroup once the child is in it (which counts processes that have
 * already exited too), plus what members outside it used; without a cgroup, from adding up what
 * each live member used since the last sample. Called by one sampler thread at a time.
 */
final class TreeMeter {
    /** Linux reports CPU time in clock ticks of 1/100 s (USER_HZ) on every architecture Drover runs on. */
    private static final long NANOS_PER_TICK = 10_000_000L;

    private static final long PAGE_SIZE = 4096;

    private final ChildTree tree;
    /** Each process's CPU ticks at the last sample, to add up only what is new. */
    private final Map<Long, Long> ticksSeen = new HashMap<>();
    /** Members the last /proc walk found outside the cgroup (forked before the move into it). */
    private final Set<Integer> outside = new HashSet<>();

    private long cpuNanos;
    private long outsideCpuNanos;

    TreeMeter(ChildTree tree) {
        this.tree = tree;
    }

    /**
     * @param table a recent /proc snapshot, shared by all children measured in one round; null
     *     when the child is in its cgroup and the last walk's findings are recent enough
     */
    synchronized Usage measure(ProcessTable table) {
        Set<Integer> inGroup = tree.cgroupMembers();
        Set<Integer> all = new LinkedHashSet<>(inGroup);
        if (table != null) {
            outside.clear();
            for (int member : tree.walk(table)) {
                if (all.add(member)) {
                    outside.add(member);
                }
            }
        } else {
            all.addAll(outside); // found by the last walk; dead or reused PIDs drop out below
        }
        long rss = 0;
        long newTicks = 0;
        long newTicksOutside = 0;
        int count = 0;
        Map<Long, Long> seen = new HashMap<>();
        for (int member : all) {
            ProcStat stat = table == null ? null : table.get(member);
            if (stat == null) {
                stat = ProcStat.read(member); // newer than the snapshot, or no snapshot
            }
            if (stat == null || stat.zombie()) {
                outside.remove(member);
                continue;
            }
            count++;
            rss += stat.rssPages() * PAGE_SIZE;
            long ticks = stat.utimeTicks() + stat.stimeTicks();
            long key = ((long) stat.pid() << 32) ^ stat.startTime(); // a reused PID is another process
            long delta = Math.max(0, ticks - ticksSeen.getOrDefault(key, 0L));
            newTicks += delta;
            if (!inGroup.contains(member)) {
                newTicksOutside += delta;
            }
            seen.put(key, ticks);
        }
        ticksSeen.clear();
        ticksSeen.putAll(seen);
        long group = tree.cgroupCpuNanos();
        if (group >= 0) {
            outsideCpuNanos += newTicksOutside * NANOS_PER_TICK;
            cpuNanos = Math.max(cpuNanos, group + outsideCpuNanos);
        } else {
            cpuNanos += newTicks * NANOS_PER_TICK;
        }
        return new Usage(cpuNanos, rss, count);
    }
}
