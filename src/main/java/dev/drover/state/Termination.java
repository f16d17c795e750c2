package dev.drover.state;

/**
 * How a child's main process ended: an exit code, or the signal that killed it. The signal's name
 * comes with it, so that this package needs no table of names.
 */
public record Termination(int code, int signal, String signalName, boolean coreDumped) {
    public static Termination exited(int code) {
        return new Termination(code, 0, null, false);
    }

    public static Termination killed(int signal, String signalName, boolean coreDumped) {
        return new Termination(-1, signal, signalName, coreDumped);
    }

    public boolean success() {
        return signal == 0 && code == 0;
    }

    public boolean bySignal() {
        return signal != 0;
    }

    public String describe() {
        if (signal != 0) {
            return "killed by " + (signalName == null ? "signal " + signal : signalName)
                    + (coreDumped ? " (core dumped)" : "");
        }
        return "exit code " + code;
    }
}
