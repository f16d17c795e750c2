package dev.drover.cli;

/** Entry point: parses the command line and turns failures into exit codes. */
public final class Main {
    public static void main(String[] args) {
        System.out.println("drover");
    }
}
