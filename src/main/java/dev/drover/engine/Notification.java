package dev.drover.engine;

/**
 * One sd_notify message from a child, as the fields Drover acts on. A message is newline-separated
 * {@code NAME=value} assignments; unknown names (ERRNO, EXTEND_TIMEOUT_USEC, FDSTORE, …) and
 * malformed lines are ignored, as systemd ignores them.
 *
 * @param status the STATUS= text (the last one in the message), or null when none was sent
 * @param mainPid the MAINPID= value, or 0 when none (or a malformed one) was sent
 * @param watchdog WATCHDOG=1: a ping
 * @param watchdogTrigger WATCHDOG=trigger: the child asks to be treated as failed
 */
record Notification(
        boolean ready,
        boolean reloading,
        boolean stopping,
        String status,
        int mainPid,
        boolean watchdog,
        boolean watchdogTrigger) {

    static Notification parse(String message) {
        boolean ready = false;
        boolean reloading = false;
        boolean stopping = false;
        String status = null;
        int mainPid = 0;
        boolean watchdog = false;
        boolean trigger = false;
        for (String line : message.split("\n")) {
            int eq = line.indexOf('=');
            if (eq <= 0) {
                continue;
            }
            String value = line.substring(eq + 1);
            switch (line.substring(0, eq)) {
                case "READY" -> ready |= value.equals("1");
                case "RELOADING" -> reloading |= value.equals("1");
                case "STOPPING" -> stopping |= value.equals("1");
                case "STATUS" -> status = value;
                case "MAINPID" -> mainPid = pid(value);
                case "WATCHDOG" -> {
                    watchdog |= value.equals("1");
                    trigger |= value.equals("trigger");
                }
                default -> {}
            }
        }
        return new Notification(ready, reloading, stopping, status, mainPid, watchdog, trigger);
    }

    /**
     * This message followed by {@code later}, as one: what the supervisor acts on when several
     * arrived before it looked. Flags add up; the later STATUS= and MAINPID= win; and of READY=1 and
     * RELOADING=1 the later message's say wins, so a reload that already ended reads as ready.
     */
    Notification then(Notification later) {
        boolean readinessSaid = later.ready || later.reloading;
        return new Notification(
                readinessSaid ? later.ready : ready,
                readinessSaid ? later.reloading : reloading,
                stopping || later.stopping,
                later.status != null ? later.status : status,
                later.mainPid != 0 ? later.mainPid : mainPid,
                watchdog || later.watchdog,
                watchdogTrigger || later.watchdogTrigger);
    }

    private static int pid(String value) {
        try {
            int pid = Integer.parseInt(value.strip());
            return pid > 0 ? pid : 0;
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
