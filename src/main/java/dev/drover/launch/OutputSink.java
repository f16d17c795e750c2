package dev.drover.launch;

/** Receives a child's output stream as it arrives; called on the single output thread. */
public interface OutputSink {
    /** Bytes read from the stream; {@code buffer} is reused after the call returns. */
    void onData(byte[] buffer, int length);

    /** The stream reached end of file (every writer closed it). */
    void onClose();

    OutputSink DISCARD = new OutputSink() {
        @Override
        public void onData(byte[] buffer, int length) {}

        @Override
        public void onClose() {}
    };
}
