package dev.drover.daemon;

import dev.drover.control.Control;
import dev.drover.control.ControlException;
import dev.drover.control.ForwardingControl;
import dev.drover.control.ReloadResult;

/**
 * The daemon's {@link Control}: the engine's, except that a reload goes through the daemon, which
 * marks itself not ready, tells systemd and writes the result to its log (as for SIGHUP).
 */
final class DaemonControl extends ForwardingControl {
    /** The daemon's reload. */
    interface Reload {
        ReloadResult run() throws ControlException;
    }

    private final Reload reload;

    DaemonControl(Control engine, Reload reload) {
        super(engine);
        this.reload = reload;
    }

    @Override
    public ReloadResult reload() throws ControlException {
        return reload.run();
    }
}
