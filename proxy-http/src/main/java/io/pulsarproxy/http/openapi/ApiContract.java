package io.pulsarproxy.http.openapi;

import io.pulsarproxy.config.ConfigLoader;
import io.pulsarproxy.edge.BoundedBodyHandler;
import io.pulsarproxy.edge.ErrorResponses;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.openapi.contract.Location;
import io.vertx.openapi.contract.MediaType;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.validation.RequestUtils;
import io.vertx.openapi.validation.RequestValidator;
import io.vertx.openapi.validation.ValidatedRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The REST API's one OpenAPI contract ({@code openapi.yaml} on the class path), the routes it defines and the
 * validation of every request against it.
 *
 * <p>Routes are added by operation id ({@link #route}): the method and path come from the contract, so a route
 * cannot be served under a path the contract does not describe. Each route validates its request (path, query,
 * headers, body) with vertx-openapi before the handler runs; a failure ends the request with the proxy's error
 * envelope ({@link ValidationErrors}) and the validated request is in the context under {@link #VALIDATED}. The
 * requests of the hot paths skip that validation, which runs on a worker thread, and are checked on the event loop
 * instead: by their own parsers ({@link #routeSelfValidated}: produce, poll), or by a check of their small JSON body
 * against the contract's list of its fields and then their parsers ({@link #routeJsonBody}: ack, nack, seek).
 *
 * <p>vertx-openapi validates only the media types it can parse. The contract also documents what it does not
 * (Server-Sent Events, the YAML of this contract, the raw bodies of the produce route), so the validator gets a copy
 * without them: response bodies are not validated anyway, and a request body of an operation that accepts
 * {@code *}{@code /*} is opaque bytes unless its content type has a schema.
 */
public final class ApiContract {
  /** Context key of the {@link ValidatedRequest}. */
  public static final String VALIDATED = "pulsar-proxy.validated-request";
  /** Context key of the JSON object body of a route added with {@link #routeJsonBody}. */
  public static final String JSON_BODY = "pulsar-proxy.json-body";
  /** Where the contract is on the class path and on the API. */
  public static final String RESOURCE = "openapi.yaml";
  private static final String ANY_MEDIA_TYPE = "*/*";

  private final OpenAPIContract contract;
  private final RequestValidator validator;
  private final Buffer yaml;
  private final Set<String> opaqueBodies;
  /** By operation id: the fields of a JSON object body whose schema lists them all (no additional properties). */
  private final Map<String, Set<String>> closedBodies;

  private ApiContract(OpenAPIContract contract, RequestValidator validator, Buffer yaml, Set<String> opaqueBodies,
      Map<String, Set<String>> closedBodies) {
    this.contract = contract;
    this.validator = validator;
    this.yaml = yaml;
    this.opaqueBodies = Set.copyOf(opaqueBodies);
    this.closedBodies = Map.copyOf(closedBodies);
  }

  /** Reads and resolves the contract; completes on the caller's context. */
  public static Future<ApiContract> load(Vertx vertx) {
    return vertx.executeBlocking(ApiContract::readResource).compose(yaml -> {
      JsonObject raw = ConfigLoader.parseYaml(yaml.toString(StandardCharsets.UTF_8), RESOURCE);
      Set<String> opaque = new HashSet<>();
      JsonObject forValidation = validatable(raw, opaque);
      return OpenAPIContract.from(vertx, forValidation)
          .map(contract -> new ApiContract(contract,
              RequestValidator.create(vertx, new PrebuiltValidators(contract)), yaml, opaque, closedBodies(raw)));
    });
  }

  private static Buffer readResource() {
    try (InputStream in = ApiContract.class.getClassLoader().getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(RESOURCE + " is not on the class path");
      }
      return Buffer.buffer(in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A copy of the contract with only the media types vertx-openapi validates; notes the opaque request bodies. */
  private static JsonObject validatable(JsonObject raw, Set<String> opaqueBodies) {
    JsonObject copy = raw.copy();
    JsonObject paths = copy.getJsonObject("paths", new JsonObject());
    for (String path : paths.fieldNames()) {
      JsonObject item = paths.getJsonObject(path);
      for (String method : item.fieldNames()) {
        if (!(item.getValue(method) instanceof JsonObject operation) || !operation.containsKey("operationId")) {
          continue;
        }
        JsonObject body = operation.getJsonObject("requestBody");
        if (body != null && body.getJsonObject("content", new JsonObject()).remove(ANY_MEDIA_TYPE) != null) {
          opaqueBodies.add(operation.getString("operationId"));
        }
        JsonObject responses = operation.getJsonObject("responses", new JsonObject());
        for (String status : responses.fieldNames()) {
          JsonObject content = responses.getJsonObject(status).getJsonObject("content");
          if (content != null) {
            content.fieldNames().removeIf(type -> !MediaType.isMediaTypeSupported(type));
          }
        }
      }
    }
    return copy;
  }

  /**
   * The operations whose JSON request body is an object schema (directly or by {@code $ref} to
   * {@code #/components/schemas/…}) with {@code additionalProperties: false}, and the fields it lists.
   */
  private static Map<String, Set<String>> closedBodies(JsonObject raw) {
    JsonObject schemas = raw.getJsonObject("components", new JsonObject()).getJsonObject("schemas", new JsonObject());
    Map<String, Set<String>> closed = new HashMap<>();
    JsonObject paths = raw.getJsonObject("paths", new JsonObject());
    for (String path : paths.fieldNames()) {
      JsonObject item = paths.getJsonObject(path);
      for (String method : item.fieldNames()) {
        if (!(item.getValue(method) instanceof JsonObject operation) || !operation.containsKey("operationId")
            || !(operation.getValue("requestBody") instanceof JsonObject body)) {
          continue;
        }
        JsonObject json = body.getJsonObject("content", new JsonObject()).getJsonObject("application/json");
        JsonObject schema = json == null ? null : json.getJsonObject("schema");
        for (int hops = 0; schema != null && schema.containsKey("$ref") && hops < 8; hops++) {
          String ref = schema.getString("$ref");
          String prefix = "#/components/schemas/";
          schema = ref.startsWith(prefix) ? schemas.getJsonObject(ref.substring(prefix.length())) : null;
        }
        if (schema != null && "object".equals(schema.getString("type"))
            && Boolean.FALSE.equals(schema.getValue("additionalProperties"))
            && schema.getValue("properties") instanceof JsonObject properties) {
          closed.put(operation.getString("operationId"), Set.copyOf(properties.fieldNames()));
        }
      }
    }
    return closed;
  }

  /** The contract as published, byte for byte. */
  public Buffer yaml() {
    return yaml;
  }

  /** The resolved contract (without the media types vertx-openapi does not validate). */
  public OpenAPIContract openApi() {
    return contract;
  }

  /**
   * Serves {@code operationId} on {@code router}: the request (with the body the edge read,
   * {@link BoundedBodyHandler#body}) is validated, then {@code handler} runs.
   *
   * @throws IllegalArgumentException if the contract has no such operation
   */
  public Route route(Router router, String operationId, Handler<RoutingContext> handler) {
    Operation operation = operation(operationId);
    return mount(router, operation).handler(ctx -> validate(ctx, operation)).handler(handler);
  }

  /**
   * Like {@link #route}, for a hot path whose handler checks everything the contract says itself (and reports it in
   * the same envelope): the generic validator runs every validation on a worker thread, one at a time per event
   * loop, which halved the produce throughput. The route still comes from the contract, so the two cannot drift.
   */
  public Route routeSelfValidated(Router router, String operationId, Handler<RoutingContext> handler) {
    return mount(router, operation(operationId)).handler(handler);
  }

  /**
   * Like {@link #routeSelfValidated}, for an operation whose one input besides its path is a required JSON object
   * body with a closed set of fields ({@code additionalProperties: false}), a request small enough to check on the
   * event loop: before {@code handler} runs, the body is checked in the order the generic validator checks it (400
   * naming {@code body} when it is missing, 415 for another content type, 400 naming {@code body} when it is not a
   * JSON object, 400 naming the first field its schema does not list) and put in the context under
   * {@link #JSON_BODY}. The handler checks the fields' values itself, in the same envelope. Acknowledgements take
   * this route: the generic validation of one cost about 0.5 ms of a worker's CPU, these checks about 0.1 ms.
   *
   * @throws IllegalArgumentException if the contract has no such operation, or its body is not of that kind
   */
  public Route routeJsonBody(Router router, String operationId, Handler<RoutingContext> handler) {
    Operation operation = operation(operationId);
    Set<String> fields = closedBodies.get(operationId);
    boolean pathOnly = operation.getParameters().stream().allMatch(p -> p.getIn() == Location.PATH);
    if (fields == null || !pathOnly || operation.getRequestBody() == null || !operation.getRequestBody().isRequired()) {
      throw new IllegalArgumentException(operationId + " does not take only path parameters and a required JSON "
          + "object body with a closed set of fields");
    }
    return mount(router, operation).handler(ctx -> {
      ctx.put(JSON_BODY, jsonObjectBody(ctx, operation, fields));
      ctx.next();
    }).handler(handler);
  }

  private static JsonObject jsonObjectBody(RoutingContext ctx, Operation operation, Set<String> fields) {
    Buffer body = BoundedBodyHandler.body(ctx);
    if (body == null || body.length() == 0) {
      throw ValidationErrors.missingBody();
    }
    // The library's own matching of the header against the contract's media types, as the generic validator does.
    if (operation.getRequestBody().determineContentType(ctx.request().getHeader(HttpHeaders.CONTENT_TYPE)) == null) {
      throw ValidationErrors.notJson();
    }
    Object parsed;
    try {
      parsed = Json.decodeValue(body);
    } catch (DecodeException e) {
      throw ValidationErrors.malformedJson();
    }
    if (!(parsed instanceof JsonObject object)) {
      throw ValidationErrors.notAnObject(parsed);
    }
    for (String name : object.fieldNames()) {
      if (!fields.contains(name)) {
        throw ValidationErrors.unknownField(name);
      }
    }
    return object;
  }

  private Operation operation(String operationId) {
    Operation operation = contract.operation(operationId);
    if (operation == null) {
      throw new IllegalArgumentException("the contract has no operation " + operationId);
    }
    return operation;
  }

  private static Route mount(Router router, Operation operation) {
    String template = vertxPath(operation.getOpenAPIPath());
    return router.route(operation.getHttpMethod(), template).handler(ErrorResponses.routeTemplate(template));
  }

  /** {@code /a/{b}/c} as a Vert.x route path: {@code /a/:b/c}. */
  public static String vertxPath(String openApiPath) {
    return openApiPath.replaceAll("\\{([^}/]+)}", ":$1");
  }

  private void validate(RoutingContext ctx, Operation operation) {
    String operationId = operation.getOperationId();
    boolean opaque = opaqueBodies.contains(operationId) && operation.getRequestBody()
        .determineContentType(ctx.request().getHeader(HttpHeaders.CONTENT_TYPE)) == null;
    Buffer body = BoundedBodyHandler.body(ctx);
    RequestUtils.extract(ctx.request(), operation, () -> Future.succeededFuture(opaque ? null : body))
        .compose(request -> validator.validate(request, operationId))
        .onSuccess(validated -> {
          ctx.put(VALIDATED, validated);
          ctx.next();
        })
        .onFailure(err -> ctx.fail(ValidationErrors.toProxyException(err)));
  }
}
