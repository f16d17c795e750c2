package dev.drover.config;

import com.cronutils.model.Cron;
import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Cron expressions as crontab(5) reads them (five fields: minute, hour, day of month, month, day
 * of week), through cron-utils, with crontab's nicknames ({@code @hourly}, {@code @daily} …).
 */
final class CronExpressions {
    private static final CronParser PARSER = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));
    private static final Map<String, String> NICKNAMES = Map.of(
            "@yearly", "0 0 1 1 *",
            "@annually", "0 0 1 1 *",
            "@monthly", "0 0 1 * *",
            "@weekly", "0 0 * * 0",
            "@daily", "0 0 * * *",
            "@midnight", "0 0 * * *",
            "@hourly", "0 * * * *");

    private CronExpressions() {}

    /** Why {@code expression} is not a valid cron expression, or empty when it is. */
    static Optional<String> problem(String expression) {
        try {
            executionTime(expression);
            return Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.of(e.getMessage());
        }
    }

    static Instant next(String expression, ZoneId zone, Instant after) {
        return executionTime(expression)
                .nextExecution(ZonedDateTime.ofInstant(after, zone))
                .map(ZonedDateTime::toInstant)
                .orElseThrow(() -> new IllegalStateException("\"" + expression + "\" has no next time"));
    }

    private static ExecutionTime executionTime(String expression) {
        String text = expression.strip();
        String cron = NICKNAMES.getOrDefault(text.toLowerCase(Locale.ROOT), text);
        Cron parsed = PARSER.parse(cron);
        parsed.validate();
        return ExecutionTime.forCron(parsed);
    }
}
