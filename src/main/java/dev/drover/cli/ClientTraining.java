package dev.drover.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * The training run for the short commands' AOT cache: `./drover` runs it once after a build, with
 * {@code -XX:AOTCacheOutput}, against a throwaway daemon whose config has a process {@code a}.
 * A JDK 25 cache records one JVM run, so the commands it should speed up run here one after another.
 */
final class ClientTraining {
    private ClientTraining() {}

    public static void main(String[] options) {
        List<List<String>> commands = List.of(
                List.of("version"),
                List.of("ps"),
                List.of("status", "a"),
                List.of("health"),
                List.of("start", "a"),
                List.of("restart", "a"),
                List.of("stop", "a"),
                List.of("start", "a"),
                List.of("ps"));
        if (Boolean.getBoolean("drover.training.down")) {
            // Last, as it stops the daemon: only for the runtime that `down` runs on.
            commands = new ArrayList<>(commands);
            commands.add(List.of("down"));
        }
        int failed = 0;
        for (List<String> command : commands) {
            List<String> args = new ArrayList<>(List.of(options));
            args.addAll(command);
            // health may say "unhealthy" while `a` restarts: an answer all the same
            failed += Main.run(args.toArray(String[]::new)) > 1 ? 1 : 0;
        }
        System.exit(failed == 0 ? ExitCodes.OK : ExitCodes.FAILED);
    }
}
