package io.pulsarproxy.app.logging;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import io.pulsarproxy.config.LogConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Applies {@code log.format} at startup: with {@code json}, the root logger's appenders write {@link JsonLogEncoder}. */
public final class LogFormat {
  private LogFormat() {}

  public static void apply(LogConfig config) {
    if (!config.json() || !(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
      return;
    }
    context.getLogger(Logger.ROOT_LOGGER_NAME).iteratorForAppenders().forEachRemaining(appender -> {
      if (appender instanceof OutputStreamAppender<ILoggingEvent> stream
          && !(stream.getEncoder() instanceof JsonLogEncoder)) {
        JsonLogEncoder encoder = new JsonLogEncoder();
        encoder.setContext(context);
        encoder.start();
        stream.stop();
        stream.setEncoder(encoder);
        stream.start();
      }
    });
  }
}
