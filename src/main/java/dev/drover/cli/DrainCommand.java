package dev.drover.cli;

import dev.drover.control.Control;
import dev.drover.control.ControlException;
import dev.drover.control.ProcessInfo;
import java.util.List;
import java.util.Set;

/** `drover drain NAME` and `drover undrain NAME`: out of the proxy's rotation by hand, and back. */
final class DrainCommand extends RemoteCommand {
    private final boolean drain;

    DrainCommand(boolean drain) {
        this.drain = drain;
    }

    @Override
    public String name() {
        return drain ? "drain" : "undrain";
    }

    @Override
    public String summary() {
        return drain
                ? "take a routed process (or one instance) out of the proxy's rotation; it keeps running"
                : "put what `drain` took out back into the proxy's rotation";
    }

    @Override
    public String usage() {
        return drain ? """
                Usage: drover drain [--file FILE] NAME[.N]…

                The proxy sends no new request to the instances (all of NAME's, or NAME.N), and
                this returns once their requests in flight have finished (or drain_timeout
                passed). They keep running, also across restarts, until `drover undrain`.
                """ : """
                Usage: drover undrain [--file FILE] NAME[.N]…

                Puts the instances back into the proxy's rotation (once they are ready).
                """;
    }

    @Override
    Arguments parse(List<String> args) throws CliException {
        Arguments arguments = Arguments.parse(name(), args, Set.of());
        if (arguments.names.isEmpty()) {
            throw new CliException(
                    ExitCodes.USAGE, name() + " needs process or instance names; see `drover help " + name() + "`");
        }
        return arguments;
    }

    @Override
    int run(Arguments arguments, Control control) throws ControlException, CliException {
        for (String name : arguments.names) {
            ProcessInfo info = drain ? control.drain(name) : control.undrain(name);
            System.out.println(name + ": " + (drain ? "out of rotation, nothing in flight" : "back in rotation")
                    + (info.ready() || !drain ? "" : " (" + info.state() + ")"));
        }
        return ExitCodes.OK;
    }
}
