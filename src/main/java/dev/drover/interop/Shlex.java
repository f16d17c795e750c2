package dev.drover.interop;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a command line as Python's {@code shlex.split} does (POSIX mode), which is how
 * supervisord turns {@code command=} into an argv: whitespace separates words, single quotes are
 * literal, double quotes allow backslash escapes of {@code \ " $ `}, a backslash outside quotes
 * escapes the next character.
 */
final class Shlex {
    private Shlex() {}

    static List<String> split(String line) throws InteropException {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (Character.isWhitespace(c)) {
                if (inWord) {
                    words.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
            } else if (c == '\'') {
                int end = line.indexOf('\'', i + 1);
                if (end < 0) {
                    throw new InteropException("no closing quotation in: " + line);
                }
                word.append(line, i + 1, end);
                i = end;
                inWord = true;
            } else if (c == '"') {
                i++;
                while (i < line.length() && line.charAt(i) != '"') {
                    char d = line.charAt(i);
                    if (d == '\\' && i + 1 < line.length() && "\\\"$`".indexOf(line.charAt(i + 1)) >= 0) {
                        d = line.charAt(++i);
                    }
                    word.append(d);
                    i++;
                }
                if (i >= line.length()) {
                    throw new InteropException("no closing quotation in: " + line);
                }
                inWord = true;
            } else if (c == '\\') {
                if (i + 1 >= line.length()) {
                    throw new InteropException("no escaped character at the end of: " + line);
                }
                word.append(line.charAt(++i));
                inWord = true;
            } else {
                word.append(c);
                inWord = true;
            }
        }
        if (inWord) {
            words.add(word.toString());
        }
        return words;
    }
}
