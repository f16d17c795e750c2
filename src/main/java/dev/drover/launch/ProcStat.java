package dev.drover.launch;

import java.io.IOException;
import java.nio.file.Path;

/** The fields of /proc/PID/stat that supervision needs. */
public record ProcStat(
        int pid,
        char state,
        int ppid,
        int pgrp,
        int session,
        long utimeTicks,
        long stimeTicks,
        long startTime,
        long rssPages) {

    /**
     * Reads /proc/PID/stat; null when the process does not exist (or vanished while reading).
     *
     * @throws Descriptors.ExhaustedException when no descriptor could be had to read it, even from
     *     the reserve: whether the process exists is then unknown
     */
    public static ProcStat read(int pid) {
        try {
            return Descriptors.withReserve(() -> readOrFail(pid));
        } catch (IOException e) {
            throw new Descriptors.ExhaustedException("cannot read /proc/" + pid + "/stat", e);
        }
    }

    /**
     * Like {@link #read}, with the JDK's own file I/O and no descriptor reserve: for a short-lived
     * command, for which linking Drover's system calls (FFM) costs more than the look itself.
     * Null when the process does not exist, or could not be read.
     */
    public static ProcStat readLight(int pid) {
        try {
            return parse(
                    pid,
                    java.nio.file.Files.readString(
                            Path.of("/proc", Integer.toString(pid), "stat"),
                            java.nio.charset.StandardCharsets.ISO_8859_1));
        } catch (IOException e) {
            return null; // ENOENT, or ESRCH when it vanished while being read
        }
    }

    /** Like {@link #read}, without the reserve: a full descriptor table is an IOException. */
    static ProcStat readOrFail(int pid) throws IOException {
        byte[] bytes;
        try {
            bytes = KernelFiles.read(Path.of("/proc", Integer.toString(pid), "stat"));
        } catch (ErrnoException e) {
            if (Descriptors.exhausted(e.errno())) {
                throw e;
            }
            return null; // ENOENT or ESRCH: it does not exist (any more)
        }
        return parse(pid, new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1));
    }

    static ProcStat parse(int pid, String line) {
        // The command name (field 2) may hold spaces and parentheses: fields resume after the last ')'.
        int close = line.lastIndexOf(')');
        if (close < 0) {
            return null;
        }
        String[] f = line.substring(close + 2).trim().split(" ");
        // f[0] is field 3 (state); field N is f[N - 3].
        return new ProcStat(
                pid,
                f[0].charAt(0),
                Integer.parseInt(f[1]),
                Integer.parseInt(f[2]),
                Integer.parseInt(f[3]),
                Long.parseLong(f[11]),
                Long.parseLong(f[12]),
                Long.parseLong(f[19]),
                Long.parseLong(f[21]));
    }

    public boolean zombie() {
        return state == 'Z' || state == 'X';
    }
}
