package dev.drover.logs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LogListenersTest {
    private final List<String> told = new ArrayList<>();

    private LogListener named(String name) {
        return new LogListener() {
            @Override
            public void line(String process, LogLine.Source source, long time, byte[] buffer, int offset, int length) {
                told.add(name + ":" + process + ":" + new String(buffer, offset, length, StandardCharsets.UTF_8));
            }

            @Override
            public void flush() {
                told.add(name + ":flush");
            }
        };
    }

    @Test
    void tellsEachInTheOrderAddedAndRemovesOneAtATime() {
        LogListeners listeners = new LogListeners();
        LogListener a = named("a");
        LogListener b = named("b");
        listeners.add(a);
        listeners.add(b);
        listeners.add(a);
        byte[] text = "xhellox".getBytes(StandardCharsets.UTF_8);
        listeners.line("web", LogLine.Source.STDOUT, 1, text, 1, 5);
        listeners.flush();
        assertThat(told).containsExactly("a:web:hello", "b:web:hello", "a:web:hello", "a:flush", "b:flush", "a:flush");

        told.clear();
        listeners.remove(a);
        listeners.remove(named("unknown"));
        listeners.line("web", LogLine.Source.STDOUT, 2, text, 0, 1);
        assertThat(told).containsExactly("b:web:x", "a:web:x");

        told.clear();
        listeners.remove(a);
        listeners.remove(b);
        listeners.line("web", LogLine.Source.STDOUT, 3, text, 0, 1);
        listeners.flush();
        assertThat(told).isEmpty();
    }

    @Test
    void aListenerMayRemoveItselfWhileBeingTold() {
        LogListeners listeners = new LogListeners();
        LogListener[] self = new LogListener[1];
        self[0] = (process, source, time, buffer, offset, length) -> {
            told.add("once");
            listeners.remove(self[0]);
        };
        listeners.add(self[0]);
        listeners.add(named("b"));
        byte[] text = "x".getBytes(StandardCharsets.UTF_8);
        listeners.line("p", LogLine.Source.STDERR, 1, text, 0, 1);
        listeners.line("p", LogLine.Source.STDERR, 2, text, 0, 1);
        assertThat(told).containsExactly("once", "b:p:x", "b:p:x");
    }
}
