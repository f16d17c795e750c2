package dev.drover.cli;

import dev.drover.client.RemoteControl;
import dev.drover.control.Control;
import dev.drover.control.ControlException;
import java.util.List;
import java.util.Set;

/**
 * `drover dashboard`: prints where the web dashboard is and a one-time login link for it; it
 * opens nothing by itself (a browser on another machine, or none, is as likely as one here).
 */
final class DashboardCommand extends RemoteCommand {
    @Override
    public String name() {
        return "dashboard";
    }

    @Override
    public String summary() {
        return "print the web dashboard's address and a one-time login link";
    }

    @Override
    public String usage() {
        return """
                Usage: drover dashboard [-f FILE] [--runtime-dir DIR]

                Prints the dashboard's address (the API's TCP listener, api.listen) and a login
                link that works once, within two minutes, from this machine only; after that,
                log in with api.token. Opens nothing by itself.
                """;
    }

    @Override
    Arguments parse(List<String> args) throws CliException {
        Arguments arguments = Arguments.parse(name(), args, Set.of(), Set.of());
        if (!arguments.names.isEmpty()) {
            throw new CliException(ExitCodes.USAGE, "drover dashboard takes no names");
        }
        return arguments;
    }

    @Override
    int run(Arguments arguments, Control control) throws ControlException, CliException {
        if (!(control instanceof RemoteControl remote)) {
            throw new CliException(ExitCodes.FAILED, "the dashboard link comes from a running daemon");
        }
        RemoteControl.DashboardLink link = remote.dashboardLink();
        System.out.println("dashboard:  " + link.url());
        System.out.println("login once: " + link.login() + "   (valid 2 minutes, from this machine only)");
        System.out.println("afterwards: log in at " + link.url() + "login with api.token");
        return ExitCodes.OK;
    }
}
