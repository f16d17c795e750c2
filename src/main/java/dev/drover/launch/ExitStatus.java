package dev.drover.launch;

/** How a child ended: an exit code, or the signal that killed it. */
public record ExitStatus(int code, int signal, boolean coreDumped) {
    public static ExitStatus exited(int code) {
        return new ExitStatus(code, 0, false);
    }

    public static ExitStatus killed(int signal, boolean coreDumped) {
        return new ExitStatus(-1, signal, coreDumped);
    }

    public boolean success() {
        return signal == 0 && code == 0;
    }

    @Override
    public String toString() {
        if (signal != 0) {
            return "killed by " + Signals.name(signal) + (coreDumped ? " (core dumped)" : "");
        }
        return "exit code " + code;
    }
}
