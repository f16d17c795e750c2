package dev.drover.launch;

/**
 * A PID together with its start time (field 22 of /proc/PID/stat), so a recycled PID is never
 * mistaken for the process it once named.
 */
public record ProcessRef(int pid, long startTime) {
    /** Reads the start time of a live PID; null when it is gone. */
    public static ProcessRef of(int pid) {
        ProcStat stat = ProcStat.read(pid);
        return stat == null ? null : new ProcessRef(pid, stat.startTime());
    }

    /** True when this PID still names the same process (a zombie counts as alive until reaped). */
    public boolean isAlive() {
        ProcStat stat = ProcStat.read(pid);
        return stat != null && stat.startTime() == startTime;
    }

    /** True when this PID still names the same process and it has not exited (a zombie has). */
    public boolean isRunning() {
        ProcStat stat = ProcStat.read(pid);
        return stat != null && stat.startTime() == startTime && !stat.zombie();
    }
}
