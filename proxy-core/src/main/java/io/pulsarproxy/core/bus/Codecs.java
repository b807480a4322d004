package io.pulsarproxy.core.bus;

import io.pulsarproxy.core.consume.CommandReply;
import io.pulsarproxy.core.consume.ConsumerCommand;
import io.pulsarproxy.core.consume.SessionEvent;
import io.pulsarproxy.core.produce.ProduceReply;
import io.pulsarproxy.core.produce.ProduceRequest;
import io.pulsarproxy.core.produce.ProducerCommand;
import io.pulsarproxy.core.produce.ProducerOpened;
import io.pulsarproxy.core.supervisor.BrokerStatus;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;

/** Registers the local codecs of every record that travels on the event bus. */
public final class Codecs {
  /** Options for every internal message: the records never leave this JVM. */
  public static final DeliveryOptions LOCAL = new DeliveryOptions().setLocalOnly(true);

  private Codecs() {}

  /** Idempotent: verticles call it from their {@code start()}, whichever is deployed first registers. */
  public static synchronized void register(Vertx vertx) {
    EventBus bus = vertx.eventBus();
    register(bus, ProduceRequest.class);
    register(bus, ProduceReply.class);
    for (Class<?> command : ProducerCommand.class.getPermittedSubclasses()) {
      register(bus, command);
    }
    register(bus, ProducerOpened.class);
    register(bus, BrokerStatus.class);
    for (Class<?> command : ConsumerCommand.class.getPermittedSubclasses()) {
      register(bus, command);
    }
    for (Class<?> event : SessionEvent.class.getPermittedSubclasses()) {
      register(bus, event);
    }
    register(bus, CommandReply.class);
    register(bus, io.pulsarproxy.core.schema.SchemaQuery.class);
    register(bus, io.pulsarproxy.core.schema.SchemaAnswer.class);
  }

  private static <T> void register(EventBus bus, Class<T> type) {
    try {
      bus.registerDefaultCodec(type, new LocalCodec<>(type));
    } catch (IllegalStateException alreadyRegistered) {
      // another verticle of this Vert.x instance registered it first
    }
  }
}
