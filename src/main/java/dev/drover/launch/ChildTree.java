package dev.drover.launch;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntPredicate;

/**
 * Finds everything one child started: the members of its cgroup, and through /proc its
 * descendants and the orphans handed to us that carry its marker or belong to its session or
 * process group — which also covers what it forked in the instant before its move into the
 * cgroup, and escapees without a cgroup. A stop reads only the files of that tree; the resource
 * meter, which measures every child in one round, walks one snapshot of all of /proc instead.
 */
final class ChildTree {
    private final int pid;
    private final Path cgroup;
    private final String marker;
    private final IntPredicate spawnedByUs;
    /** The child is in its cgroup (the move happens just after spawn, on another thread). */
    private volatile boolean inCgroup;

    ChildTree(int pid, Path cgroup, String marker, IntPredicate spawnedByUs) {
        this.pid = pid;
        this.cgroup = cgroup;
        this.marker = marker;
        this.spawnedByUs = spawnedByUs;
    }

    Path cgroup() {
        return cgroup;
    }

    boolean inCgroup() {
        return inCgroup;
    }

    void movedIntoCgroup() {
        inCgroup = true;
    }

    /**
     * The live members, each with its start time; the main process left out once it has exited.
     *
     * @param walk also walk /proc even when the child is in its cgroup; without it, a child in its
     *     cgroup is looked for there alone
     * @throws Descriptors.ExhaustedException when a look could not be made
     */
    List<ProcessRef> members(boolean walk, boolean mainExited) {
        Map<Integer, ProcessRef> refs = new LinkedHashMap<>();
        // The cgroup also holds escapees that cleared their environment.
        if (cgroup != null) {
            for (int member : Cgroups.pids(cgroup)) {
                ProcessRef ref = ProcessRef.of(member);
                if (ref != null) {
                    refs.put(member, ref);
                }
            }
        }
        if ((walk || !inCgroup) && Children.LISTED) {
            for (ProcessRef member : family(mainExited)) {
                refs.putIfAbsent(member.pid(), member);
            }
        } else if (walk || !inCgroup) {
            ProcessTable table = ProcessTable.scan(System.nanoTime());
            for (int member : walk(table)) {
                refs.putIfAbsent(
                        member, new ProcessRef(member, table.get(member).startTime()));
            }
        }
        if (mainExited) {
            refs.remove(pid);
        }
        return new ArrayList<>(refs.values());
    }

    /**
     * The live, non-zombie processes of this child found from the top of its tree down, without
     * reading all of /proc: the main process while it runs, and the orphans that reached us as child
     * subreaper and are its own (its marker in their environment, or its session or process group),
     * each with all its descendants. Whatever the child started is below one of those: while it
     * runs, below it; once its parent has gone, below the orphan it was handed to us as. So this
     * finds what {@link #walk} finds (a member of its session or group descends from it, since the
     * child leads both), at the cost of reading the files of our own tree.
     */
    private List<ProcessRef> family(boolean mainExited) {
        // A member that exits during the look hands its children to us: look again, from a new listing.
        for (int attempt = 1; ; attempt++) {
            List<ProcessRef> members = new ArrayList<>();
            if (family(mainExited, members) || attempt == 3) {
                return members;
            }
        }
    }

    /** Adds the members found to {@code members}; false when one of them exited meanwhile. */
    private boolean family(boolean mainExited, List<ProcessRef> members) {
        boolean settled = true;
        List<Integer> roots = new ArrayList<>();
        if (!mainExited) {
            roots.add(pid);
        }
        int self = Launcher.selfPid();
        for (int orphan : Children.handedToSelf()) {
            if (orphan != pid && !spawnedByUs.test(orphan)) {
                ProcStat stat = ProcStat.read(orphan);
                if (stat != null
                        && !stat.zombie()
                        && (stat.session() == pid || stat.pgrp() == pid || ProcessTable.environHas(orphan, marker))) {
                    roots.add(orphan);
                }
            }
        }
        Set<Integer> seen = new java.util.HashSet<>();
        java.util.ArrayDeque<Integer> todo = new java.util.ArrayDeque<>(roots);
        while (!todo.isEmpty()) {
            int member = todo.pop();
            if (member == self || !seen.add(member)) {
                continue;
            }
            ProcStat stat = ProcStat.read(member);
            if (stat == null) {
                settled = false; // gone, and its children (if any) were handed to us
                continue;
            }
            if (!stat.zombie() && (member != pid || !mainExited)) {
                members.add(new ProcessRef(member, stat.startTime()));
            }
            todo.addAll(Children.of(member));
        }
        return settled;
    }

    /** The live, non-zombie processes of this child found through /proc: its session, group, tree and marked orphans. */
    Set<Integer> walk(ProcessTable table) {
        List<Integer> roots = new ArrayList<>(table.inSessionOrGroupOf(pid));
        int self = Launcher.selfPid();
        for (int orphan : table.childrenOf(self)) {
            if (!spawnedByUs.test(orphan) && !table.get(orphan).zombie() && ProcessTable.environHas(orphan, marker)) {
                roots.add(orphan);
            }
        }
        Set<Integer> members = new LinkedHashSet<>();
        for (int member : table.withDescendants(roots)) {
            if (member != self && !table.get(member).zombie()) {
                members.add(member);
            }
        }
        return members;
    }

    /** The members of its cgroup now (none without one, or before the move). */
    Set<Integer> cgroupMembers() {
        return inCgroup ? new java.util.HashSet<>(Cgroups.pids(cgroup)) : Set.of();
    }

    /** SIGKILL to the whole cgroup at once; false without one. */
    boolean killCgroup() {
        return cgroup != null && Cgroups.kill(cgroup);
    }

    /** CPU time of everything ever in the cgroup, or -1 when not (yet) known. */
    long cgroupCpuNanos() {
        return inCgroup ? Cgroups.cpuUsageNanos(cgroup) : -1;
    }

    /** Removes the cgroup once nothing is left in it. */
    void release() {
        if (cgroup != null) {
            Cgroups.remove(cgroup);
        }
    }
}
