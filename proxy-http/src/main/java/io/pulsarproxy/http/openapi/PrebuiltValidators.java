package io.pulsarproxy.http.openapi;

import io.vertx.core.file.FileSystem;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.Draft;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.JsonSchemaOptions;
import io.vertx.json.schema.SchemaRepository;
import io.vertx.json.schema.Validator;
import io.vertx.openapi.contract.MediaType;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.OpenAPIVersion;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.contract.Parameter;
import io.vertx.openapi.contract.Path;
import io.vertx.openapi.contract.SecurityRequirement;
import io.vertx.openapi.contract.SecurityScheme;
import io.vertx.openapi.contract.Server;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The contract as vertx-openapi's request validator sees it, with one schema validator per parameter and request
 * body, built once. The validator asks the contract's schema repository for a new one for every parameter of every
 * request, and each copies the repository's whole lookup table: that copy was most of the CPU the validation of a
 * poll or an ack took. A validator only reads its schema and table, so one serves every request, from any thread.
 * Holds exactly the contract's parameter and body schemas; anything else is asked of the repository as before.
 */
final class PrebuiltValidators implements OpenAPIContract {
  private final OpenAPIContract contract;
  private final SchemaRepository repository;

  PrebuiltValidators(OpenAPIContract contract) {
    this.contract = contract;
    SchemaRepository schemas = contract.getSchemaRepository();
    Map<JsonSchema, Validator> built = new IdentityHashMap<>();
    for (Operation operation : contract.operations()) {
      for (Parameter parameter : operation.getParameters()) {
        built.computeIfAbsent(parameter.getSchema(), schemas::validator);
      }
      if (operation.getRequestBody() != null) {
        for (MediaType type : operation.getRequestBody().getContent().values()) {
          if (type.getSchema() != null) {
            built.computeIfAbsent(type.getSchema(), schemas::validator);
          }
        }
      }
    }
    this.repository = new Repository(schemas, Collections.unmodifiableMap(built));
  }

  @Override
  public SchemaRepository getSchemaRepository() {
    return repository;
  }

  @Override
  public Operation operation(String operationId) {
    return contract.operation(operationId);
  }

  @Override
  public List<Operation> operations() {
    return contract.operations();
  }

  @Override
  public List<Path> getPaths() {
    return contract.getPaths();
  }

  @Override
  public JsonObject getRawContract() {
    return contract.getRawContract();
  }

  @Override
  public OpenAPIVersion getVersion() {
    return contract.getVersion();
  }

  @Override
  public List<Server> getServers() {
    return contract.getServers();
  }

  @Override
  public Path findPath(String urlPath) {
    return contract.findPath(urlPath);
  }

  @Override
  public Operation findOperation(String urlPath, HttpMethod method) {
    return contract.findOperation(urlPath, method);
  }

  @Override
  public List<SecurityRequirement> getSecurityRequirements() {
    return contract.getSecurityRequirements();
  }

  @Override
  public SecurityScheme securityScheme(String name) {
    return contract.securityScheme(name);
  }

  /** The contract's repository, answering {@link #validator(JsonSchema)} from the validators built up front. */
  private record Repository(SchemaRepository schemas, Map<JsonSchema, Validator> built) implements SchemaRepository {
    @Override
    public Validator validator(JsonSchema schema) {
      Validator validator = built.get(schema);
      return validator != null ? validator : schemas.validator(schema);
    }

    @Override
    public SchemaRepository dereference(JsonSchema schema) {
      return schemas.dereference(schema);
    }

    @Override
    public SchemaRepository dereference(String uri, JsonSchema schema) {
      return schemas.dereference(uri, schema);
    }

    @Override
    public SchemaRepository preloadMetaSchema(FileSystem fs) {
      return schemas.preloadMetaSchema(fs);
    }

    @Override
    public SchemaRepository preloadMetaSchema(FileSystem fs, Draft draft) {
      return schemas.preloadMetaSchema(fs, draft);
    }

    @Override
    public Validator validator(String ref) {
      return schemas.validator(ref);
    }

    @Override
    public Validator validator(String ref, JsonSchemaOptions options) {
      return schemas.validator(ref, options);
    }

    @Override
    public Validator validator(JsonSchema schema, JsonSchemaOptions options, boolean dereference) {
      return schemas.validator(schema, options, dereference);
    }

    @Override
    public JsonObject resolve(JsonObject schema) {
      return schemas.resolve(schema);
    }

    @Override
    public JsonSchema find(String pointer) {
      return schemas.find(pointer);
    }
  }
}
