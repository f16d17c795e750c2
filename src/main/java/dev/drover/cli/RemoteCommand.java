package dev.drover.cli;

import dev.drover.control.Control;
import dev.drover.control.ControlException;
import java.util.List;

/** A command that talks to a running daemon; failures to reach it become exit status 3. */
abstract class RemoteCommand implements Command {
    @Override
    public final int run(List<String> args) throws CliException {
        Arguments arguments = parse(args);
        try {
            return run(arguments, Daemons.connect(arguments));
        } catch (ControlException e) {
            throw Daemons.failure(e);
        }
    }

    abstract Arguments parse(List<String> args) throws CliException;

    abstract int run(Arguments arguments, Control control) throws ControlException, CliException;
}
