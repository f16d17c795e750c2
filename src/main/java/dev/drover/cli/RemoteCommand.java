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
            throw Daemons.failure(e, arguments);
        }
    }

    abstract Arguments parse(List<String> args) throws CliException;

    abstract int run(Arguments arguments, Control control) throws ControlException, CliException;

    /**
     * Waits while {@code following} delivers lines or events: until the daemon ends the stream
     * (said on stderr), or Ctrl-C. The handle is closed either way.
     *
     * @param what "logs" or "events", for the messages
     */
    static void followUntilEnd(AutoCloseable following, String what) throws CliException {
        try (following) {
            if (following instanceof dev.drover.client.SseFollow<?> follow) {
                follow.awaitEnd(java.time.Duration.ofDays(3650));
                System.err.println("drover " + what + ": the daemon closed the stream (it stopped?)");
            } else {
                new java.util.concurrent.CountDownLatch(1).await();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            throw new CliException(
                    ExitCodes.FAILED,
                    "lost the " + (what.equals("logs") ? "log" : "event") + " stream: " + e.getMessage());
        }
    }
}
