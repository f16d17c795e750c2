package dev.drover.control;

/**
 * What a {@code notify: true} process's current run said over its NOTIFY_SOCKET (sd_notify).
 *
 * @param status its last STATUS= text, or null
 * @param mainPid the PID it named with MAINPID=, or 0 (recorded only: Drover supervises the PID it spawned)
 * @param stopping it said STOPPING=1
 * @param lastWatchdog when its last WATCHDOG=1 came (epoch ms), 0 before the first
 */
public record NotifyInfo(String status, int mainPid, boolean stopping, long lastWatchdog) {}
