package dev.drover.engine;

import dev.drover.config.Command;
import dev.drover.launch.Child;
import dev.drover.launch.ExitStatus;
import dev.drover.launch.OsEdge;
import dev.drover.launch.SpawnException;
import dev.drover.launch.SpawnSpec;
import dev.drover.logs.LogLine;
import dev.drover.logs.ProcessLog;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The commands of one hook ({@code pre_start} or {@code post_stop}) of one instance, run one after
 * the other in its directory, with its environment and user; their output goes to the instance's
 * log, each line marked {@code [pre_start]}. Completes with null when every command succeeded,
 * else with why one failed and its last lines; {@link #cancel()} stops the one running.
 */
final class HookRun {
    /** How many of a failed command's last lines its reason quotes. */
    static final int LAST_LINES = 3;

    private final String hook;
    private final List<Command> commands;
    private final InstanceDefinition definition;
    private final ProcessLog log;
    private final OsEdge os;
    private final CompletableFuture<String> result = new CompletableFuture<>();
    private Child running;
    private boolean cancelled;

    private HookRun(String hook, List<Command> commands, InstanceDefinition definition, ProcessLog log, OsEdge os) {
        this.hook = hook;
        this.commands = commands;
        this.definition = definition;
        this.log = log;
        this.os = os;
    }

    /** Starts the commands; the future says null (all succeeded) or why one failed. */
    static HookRun start(
            String hook, List<Command> commands, InstanceDefinition definition, ProcessLog log, OsEdge os) {
        HookRun run = new HookRun(hook, commands, definition, log, os);
        run.next(0);
        return run;
    }

    CompletableFuture<String> result() {
        return result;
    }

    /** Stops the command running now (and everything it started); the result says it was stopped. */
    void cancel() {
        Child child;
        synchronized (this) {
            cancelled = true;
            child = running;
        }
        if (child != null) {
            child.stop(definition.spec().stopSignal().number(), Duration.ofSeconds(5));
        } else {
            result.complete(hook + " stopped");
        }
    }

    private void next(int index) {
        if (index == commands.size()) {
            result.complete(null);
            return;
        }
        List<String> argv = definition.launch(commands.get(index));
        String shown = commands.get(index).shown();
        String mark = "[" + hook + "] ";
        Child child;
        synchronized (this) {
            if (cancelled) {
                result.complete(hook + " stopped");
                return;
            }
            try {
                log.announce(hook + ": " + shown);
                child = os.spawn(
                        new SpawnSpec(argv, definition.env(), definition.cwd(), null),
                        log.marked(LogLine.Source.STDOUT, mark),
                        log.marked(LogLine.Source.STDERR, mark));
            } catch (SpawnException | RuntimeException e) {
                result.complete(hook + " `" + shown + "` could not start: " + e.getMessage());
                return;
            }
            running = child;
        }
        child.onExit().whenComplete((exit, error) -> {
            synchronized (this) {
                running = null;
            }
            if (error != null) {
                result.complete(hook + " `" + shown + "` failed: " + error);
            } else if (cancelled) {
                result.complete(hook + " stopped");
            } else if (!exit.success()) {
                result.complete(failed(shown, exit, mark));
            } else {
                next(index + 1);
            }
        });
    }

    private String failed(String shown, ExitStatus exit, String mark) {
        List<String> last = new ArrayList<>();
        List<LogLine> recent = log.ring().last(200);
        for (int i = recent.size() - 1; i >= 0 && last.size() < LAST_LINES; i--) {
            String text = recent.get(i).text();
            if (recent.get(i).source() != LogLine.Source.DROVER && text.startsWith(mark)) {
                last.addFirst(text.substring(mark.length()));
            }
        }
        return hook + " `" + shown + "` failed (" + exit + ")"
                + (last.isEmpty() ? "" : ": " + String.join(" | ", last));
    }
}
