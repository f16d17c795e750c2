package dev.drover.daemon;

import dev.drover.control.Control;
import dev.drover.control.ControlException;
import dev.drover.control.ForwardingControl;
import dev.drover.control.ProcessInfo;
import dev.drover.control.ReloadResult;
import dev.drover.control.RouteInfo;
import dev.drover.proxy.ProxyServer;
import java.util.List;

/**
 * The daemon's {@link Control}: the engine's, except that a reload goes through the daemon, which
 * marks itself not ready, tells systemd and writes the result to its log (as for SIGHUP), a scale
 * is written to its log too, and the routes come from the reverse proxy.
 */
final class DaemonControl extends ForwardingControl {
    /** The daemon's reload. */
    interface Reload {
        ReloadResult run() throws ControlException;
    }

    /** The daemon's scale. */
    interface Scale {
        List<ProcessInfo> run(String process, int replicas) throws ControlException;
    }

    private final Reload reload;
    private final Scale scale;
    private final ProxyServer proxy;

    /** @param proxy the reverse proxy, or null when the config has none */
    DaemonControl(Control engine, Reload reload, Scale scale, ProxyServer proxy) {
        super(engine);
        this.reload = reload;
        this.scale = scale;
        this.proxy = proxy;
    }

    @Override
    public List<ProcessInfo> scale(String process, int replicas) throws ControlException {
        return scale.run(process, replicas);
    }

    /** The proxy's live view: its instances, what they serve, and the traffic so far. */
    @Override
    public List<RouteInfo> routes() throws ControlException {
        return proxy == null ? super.routes() : proxy.routes();
    }

    @Override
    public ReloadResult reload() throws ControlException {
        return reload.run();
    }
}
