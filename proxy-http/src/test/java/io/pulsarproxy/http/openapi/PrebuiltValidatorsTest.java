package io.pulsarproxy.http.openapi;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.SchemaRepository;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.contract.Parameter;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every parameter and body schema of the contract has one validator, reused, that judges as a fresh one does. */
class PrebuiltValidatorsTest {
  private static Vertx vertx;
  private static ApiContract contract;

  @BeforeAll
  static void load() throws Exception {
    vertx = Vertx.vertx();
    contract = ApiContract.load(vertx).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @AfterAll
  static void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @Test
  void everyParameterAndBodyHasOneValidatorReused() {
    SchemaRepository repository = new PrebuiltValidators(contract.openApi()).getSchemaRepository();
    int schemas = 0;
    for (Operation operation : contract.openApi().operations()) {
      for (Parameter parameter : operation.getParameters()) {
        assertThat(repository.validator(parameter.getSchema())).as("%s %s", operation.getOperationId(),
            parameter.getName()).isSameAs(repository.validator(parameter.getSchema()));
        schemas++;
      }
      if (operation.getRequestBody() != null) {
        for (var type : operation.getRequestBody().getContent().values()) {
          assertThat(repository.validator(type.getSchema())).isSameAs(repository.validator(type.getSchema()));
          schemas++;
        }
      }
    }
    assertThat(schemas).isGreaterThan(20);
  }

  @Test
  void aPrebuiltValidatorJudgesAsAFreshOne() {
    SchemaRepository prebuilt = new PrebuiltValidators(contract.openApi()).getSchemaRepository();
    SchemaRepository fresh = contract.openApi().getSchemaRepository();
    Operation poll = contract.openApi().operation("pollMessages");
    Parameter max = poll.getParameters().stream().filter(p -> p.getName().equals("max")).findFirst().orElseThrow();
    for (Object value : new Object[] {0, 1, 500, -3, "x"}) {
      assertThat(prebuilt.validator(max.getSchema()).validate(value).getValid()).as("max=%s", value)
          .isEqualTo(fresh.validator(max.getSchema()).validate(value).getValid());
    }
    assertThat(prebuilt.validator(max.getSchema()).validate(0).getValid()).isFalse();
    var ack = contract.openApi().operation("ackMessages").getRequestBody().getContent().get("application/json");
    JsonObject good = new JsonObject().put("messageIds", new JsonArray().add("CAEQAg=="));
    JsonObject unknownField = good.copy().put("extra", 1);
    assertThat(prebuilt.validator(ack.getSchema()).validate(good).getValid())
        .isEqualTo(fresh.validator(ack.getSchema()).validate(good).getValid());
    assertThat(prebuilt.validator(ack.getSchema()).validate(unknownField).getValid()).isFalse();
  }
}
