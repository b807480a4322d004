package io.pulsarproxy.testkit;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Provides the JVM's shared real Pulsar ({@link SharedPulsar}) to tests: it is started (once per JVM) before
 * the first test class that uses the extension, and injected into any parameter of type {@link PulsarBroker}
 * (test methods, lifecycle methods, constructors).
 *
 * <pre>{@code
 * @ExtendWith(PulsarExtension.class)
 * class ProduceIT {
 *   @Test
 *   void producesToPulsar(PulsarBroker pulsar) throws Exception {
 *     try (PulsarClient client = pulsar.newClient()) { ... pulsar.uniqueTopic("produce") ... }
 *   }
 * }
 * }</pre>
 */
public final class PulsarExtension implements BeforeAllCallback, ParameterResolver {

  @Override
  public void beforeAll(ExtensionContext context) {
    SharedPulsar.get();
  }

  @Override
  public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
    return parameterContext.getParameter().getType() == PulsarBroker.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
    return SharedPulsar.get();
  }
}
