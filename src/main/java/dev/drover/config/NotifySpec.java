package dev.drover.config;

import java.time.Duration;

/**
 * {@code notify: true} and {@code watchdog}: the process speaks the sd_notify protocol over a
 * private NOTIFY_SOCKET; it is ready when it says {@code READY=1}.
 *
 * @param watchdog how long it may go without {@code WATCHDOG=1} once ready before it counts as
 *     failed and is restarted; null: no watchdog
 */
public record NotifySpec(Duration watchdog) {}
