package dev.drover.api;

import dev.drover.control.Control;
import dev.drover.control.ControlException;
import dev.drover.control.ProcessEvent;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Numbers every state and health change the daemon reports and keeps the last few, so that an
 * event stream that broke can resume where it stopped: {@code GET /api/events} sends each event
 * with an SSE id ({@code <journal>.<sequence>}), and a client that reconnects with {@code
 * Last-Event-ID} (or {@code ?lastEventId=}) first gets every event it missed. The journal part is
 * random per daemon, so an id from a daemon that has since restarted is recognised as such and the
 * client is told to start over.
 */
final class EventJournal {
    /** One event as streamed, with its id. */
    record Numbered(String id, ProcessEvent event) {}

    /** What a reconnecting client is sent before the live events. */
    sealed interface Replay {
        /** Every event after the one the client last saw (possibly none). */
        record Resumed(List<Numbered> missed) implements Replay {}

        /** The client's id cannot be resumed from (another daemon, too old, malformed): it must refresh. */
        record Reset(String why) implements Replay {}
    }

    private final Control control;
    private final int capacity;
    private final String journal = HexFormat.of().formatHex(new SecureRandom().generateSeed(6));
    private final ArrayDeque<Numbered> recent = new ArrayDeque<>(); // guarded by this
    private final Set<Consumer<Numbered>> listeners = ConcurrentHashMap.newKeySet();
    private long sequence; // guarded by this
    private AutoCloseable subscription; // guarded by this

    EventJournal(Control control, int capacity) {
        this.control = control;
        this.capacity = capacity;
    }

    /**
     * Registers {@code listener} for every event from now on and returns what the client missed
     * since {@code lastEventId} (null: a fresh stream, nothing to replay). Done under the journal's
     * lock, so no event falls between the replay and the live events, and none is in both.
     */
    synchronized Replay follow(String lastEventId, Consumer<Numbered> listener) throws ControlException {
        if (subscription == null) {
            subscription = control.followEvents(this::record);
        }
        listeners.add(listener);
        if (lastEventId == null || lastEventId.isBlank()) {
            return new Replay.Resumed(List.of());
        }
        int dot = lastEventId.lastIndexOf('.');
        long seen;
        try {
            seen = dot < 0 ? -1 : Long.parseLong(lastEventId.substring(dot + 1));
        } catch (NumberFormatException e) {
            seen = -1;
        }
        if (dot < 0 || seen < 0 || !lastEventId.substring(0, dot).equals(journal)) {
            return new Replay.Reset("event id " + lastEventId + " is not from this daemon (it restarted?)");
        }
        if (seen > sequence) {
            return new Replay.Reset("event id " + lastEventId + " is ahead of this daemon's events");
        }
        long oldest = recent.isEmpty() ? sequence + 1 : sequenceOf(recent.peekFirst());
        if (seen + 1 < oldest) {
            return new Replay.Reset(
                    "events after " + lastEventId + " are no longer kept (only the last " + capacity + ")");
        }
        List<Numbered> missed = new ArrayList<>();
        for (Numbered numbered : recent) {
            if (sequenceOf(numbered) > seen) {
                missed.add(numbered);
            }
        }
        return new Replay.Resumed(missed);
    }

    void unfollow(Consumer<Numbered> listener) {
        listeners.remove(listener);
    }

    private synchronized void record(ProcessEvent event) {
        Numbered numbered = new Numbered(journal + "." + ++sequence, event);
        recent.addLast(numbered);
        if (recent.size() > capacity) {
            recent.removeFirst();
        }
        // Listeners are SSE streams whose accept() only queues: never blocks the engine.
        listeners.forEach(listener -> listener.accept(numbered));
    }

    /** Stops following the engine's events. */
    synchronized void close() {
        if (subscription != null) {
            try {
                subscription.close();
            } catch (Exception e) {
                // Nothing more to stop.
            }
            subscription = null;
        }
    }

    private static long sequenceOf(Numbered numbered) {
        return Long.parseLong(numbered.id().substring(numbered.id().lastIndexOf('.') + 1));
    }
}
