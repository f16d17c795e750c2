package dev.drover.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drover.control.Control;
import dev.drover.control.ProcessEvent;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** The numbering and replay behind {@code Last-Event-ID} on {@code GET /api/events}. */
class DashboardEventJournalTest {
    private final List<Consumer<ProcessEvent>> sinks = new ArrayList<>();

    /** Only followEvents is used by the journal: the control's event source, driven by the test. */
    @SuppressWarnings("unchecked")
    private final Control control = (Control) Proxy.newProxyInstance(
            Control.class.getClassLoader(), new Class<?>[] {Control.class}, (proxy, method, args) -> {
                if (method.getName().equals("followEvents")) {
                    Consumer<ProcessEvent> sink = (Consumer<ProcessEvent>) args[0];
                    sinks.add(sink);
                    return (AutoCloseable) () -> sinks.remove(sink);
                }
                throw new UnsupportedOperationException(method.getName());
            });

    private void emit(String process, String state) {
        ProcessEvent event = new ProcessEvent(0, process, state, "unknown", "x", "unknown", 1, 0, state, null);
        List.copyOf(sinks).forEach(sink -> sink.accept(event));
    }

    @Test
    void aResumedStreamGetsExactlyTheEventsItMissed() throws Exception {
        EventJournal journal = new EventJournal(control, 10);
        List<EventJournal.Numbered> first = new ArrayList<>();
        journal.follow(null, first::add);
        emit("a", "starting");
        emit("a", "running");
        String seen = first.getFirst().id();
        journal.unfollow(first::add);

        List<EventJournal.Numbered> second = new ArrayList<>();
        EventJournal.Replay replay = journal.follow(seen, second::add);
        emit("a", "stopping");
        assertThat(replay).isInstanceOf(EventJournal.Replay.Resumed.class);
        List<EventJournal.Numbered> missed = ((EventJournal.Replay.Resumed) replay).missed();
        assertThat(missed).extracting(n -> n.event().state()).containsExactly("running");
        assertThat(second).extracting(n -> n.event().state()).containsExactly("stopping");
        assertThat(second.getFirst().id()).isNotEqualTo(missed.getFirst().id());
    }

    @Test
    void anIdFromAnotherDaemonOrTooOldOrMalformedAsksTheClientToStartOver() throws Exception {
        EventJournal journal = new EventJournal(control, 2);
        List<EventJournal.Numbered> seen = new ArrayList<>();
        journal.follow(null, seen::add);
        for (int i = 0; i < 5; i++) {
            emit("a", "s" + i);
        }
        String prefix = seen.getFirst().id().substring(0, seen.getFirst().id().indexOf('.'));
        assertThat(journal.follow(seen.getFirst().id(), e -> {})).isInstanceOf(EventJournal.Replay.Reset.class);
        assertThat(journal.follow("ffffffffffff.1", e -> {})).isInstanceOf(EventJournal.Replay.Reset.class);
        assertThat(journal.follow(prefix + ".99", e -> {})).isInstanceOf(EventJournal.Replay.Reset.class);
        assertThat(journal.follow("garbage", e -> {})).isInstanceOf(EventJournal.Replay.Reset.class);
        assertThat(journal.follow(prefix + ".x", e -> {})).isInstanceOf(EventJournal.Replay.Reset.class);
        EventJournal.Replay recent = journal.follow(seen.get(3).id(), e -> {});
        assertThat(((EventJournal.Replay.Resumed) recent).missed())
                .extracting(n -> n.event().state())
                .containsExactly("s4");
    }
}
