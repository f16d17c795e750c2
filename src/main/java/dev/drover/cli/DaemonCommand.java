package dev.drover.cli;

import dev.drover.config.DroverConfig;
import dev.drover.daemon.Daemon;
import dev.drover.daemon.Face;
import dev.drover.daemon.RuntimeDir;
import java.io.IOException;
import java.util.List;
import java.util.Set;

/** `drover daemon`: the daemon itself, as started by `drover up -d` (or by systemd). */
final class DaemonCommand implements Command {
    @Override
    public String name() {
        return "daemon";
    }

    @Override
    public String summary() {
        return "run the daemon in this process (what `up -d` starts in the background; for systemd units)";
    }

    @Override
    public String usage() {
        return """
                Usage: drover daemon [-f FILE] [--runtime-dir DIR] [NAME…]

                Runs the supervisor with its control socket in the runtime directory, in the
                foreground of this process, writing its own events to stdout. `drover up -d` starts
                it detached with its output in RUNTIME_DIR/drover.log; a systemd unit runs it
                directly. SIGTERM/SIGINT stop everything, SIGHUP reloads.
                """;
    }

    @Override
    public int run(List<String> args) throws CliException {
        Arguments arguments = Arguments.parse(name(), args, Set.of(UpCommand.NO_PRE_START));
        DroverConfig config = Configs.load(arguments.configFiles);
        Configs.checkNames(config, arguments.names);
        return runDaemon(
                Daemons.runtime(arguments),
                config,
                arguments.names,
                Face.background(),
                arguments.flags.contains(UpCommand.NO_PRE_START));
    }

    /** Runs the daemon wiring in this process until it stops; its refusals become exit status 1. */
    static int runDaemon(RuntimeDir runtime, DroverConfig config, List<String> names, Face face, boolean noPreStart)
            throws CliException {
        try {
            return new Daemon(runtime, config, names, face)
                    .skippingPreStart(noPreStart)
                    .run();
        } catch (Daemon.AlreadyRunning e) {
            throw new CliException(ExitCodes.FAILED, e.getMessage());
        } catch (IOException e) {
            throw new CliException(ExitCodes.FAILED, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ExitCodes.FAILED;
        }
    }
}
