package io.pulsarproxy.http.openapi;

import io.pulsarproxy.core.error.ErrorCode;
import io.pulsarproxy.core.error.ProxyException;
import io.pulsarproxy.core.error.ProxyException.Detail;
import io.vertx.core.json.JsonArray;
import io.vertx.json.schema.OutputUnit;
import io.vertx.openapi.validation.SchemaValidationException;
import io.vertx.openapi.validation.ValidatorErrorType;
import io.vertx.openapi.validation.ValidatorException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns what vertx-openapi reports into the proxy's error model, in the style of the hand-written parsers: the
 * message is {@code field: problem} and each detail names a field ({@code max}, {@code messageIds[0]},
 * {@code deadLetter.maxRedeliverCount}, {@code body}).
 *
 * <p>The parameter a failure is about is only in the library's message ("… query parameter max …"); the tests of
 * this class pin those messages, so an upgrade that changes them is noticed.
 */
public final class ValidationErrors {
  private static final Pattern PARAMETER = Pattern.compile("(?:query|path|header|cookie) parameter ([^\\s.]+)");
  private static final Pattern QUOTED = Pattern.compile("\"([^\"]*)\"");
  private static final Pattern TYPE = Pattern.compile("Instance type (\\S+) is invalid\\. Expected (.+)");
  private static final String UNKNOWN_FIELD = "is not a known field";

  private ValidationErrors() {}

  public static ProxyException toProxyException(Throwable failure) {
    if (failure instanceof ProxyException p) {
      return p;
    }
    if (!(failure instanceof ValidatorException e)) {
      return new ProxyException(ErrorCode.BAD_REQUEST, "invalid request: " + failure.getMessage());
    }
    String message = String.valueOf(e.getMessage());
    Matcher parameter = PARAMETER.matcher(message);
    String field = parameter.find() ? parameter.group(1) : "body";
    if (e.type() == ValidatorErrorType.UNSUPPORTED_VALUE_FORMAT && "body".equals(field)) {
      return notJson();
    }
    if (e.type() == ValidatorErrorType.MISSING_REQUIRED_PARAMETER && !(e instanceof SchemaValidationException)) {
      return ProxyException.badField(field, "is missing");
    }
    if (e.type() == ValidatorErrorType.ILLEGAL_VALUE && "body".equals(field)) {
      return malformedJson();
    }
    if (e instanceof SchemaValidationException s && s.getOutputUnit() != null) {
      List<Detail> details = details(s.getOutputUnit(), "body".equals(field) ? "" : field);
      if (!details.isEmpty()) {
        Detail first = details.get(0);
        String more = details.size() > 1 ? " (and " + (details.size() - 1) + " more problems)" : "";
        return new ProxyException(ErrorCode.BAD_REQUEST, first.field() + ": " + first.message() + more, details);
      }
    }
    return ProxyException.badField(field, message);
  }

  /** A required body that is missing or empty. */
  static ProxyException missingBody() {
    return ProxyException.badField("body", "is missing");
  }

  /** A body of another content type than the JSON the operation takes. */
  static ProxyException notJson() {
    return new ProxyException(ErrorCode.UNSUPPORTED_MEDIA_TYPE,
        "Content-Type: this request takes a body of type application/json",
        List.of(new Detail("Content-Type", "must be application/json")));
  }

  static ProxyException malformedJson() {
    return ProxyException.badField("body", "malformed JSON");
  }

  /** A JSON body that is not the object the operation takes, in the words the schema's type check would use. */
  static ProxyException notAnObject(Object parsed) {
    String type = parsed == null ? "null" : parsed instanceof JsonArray ? "array"
        : parsed instanceof String ? "string" : parsed instanceof Boolean ? "boolean" : "number";
    return ProxyException.badField("body", "must be of type object, not " + type);
  }

  /** A field of a JSON object body that its schema does not list ({@code additionalProperties: false}). */
  static ProxyException unknownField(String name) {
    return ProxyException.badField(name, UNKNOWN_FIELD);
  }

  /** One detail per field, from the most specific errors (those that are not a summary of others). */
  private static List<Detail> details(OutputUnit unit, String root) {
    Map<String, String> byField = new LinkedHashMap<>();
    List<OutputUnit> errors = unit.getErrors() == null || unit.getErrors().isEmpty() ? List.of(unit) : unit.getErrors();
    for (OutputUnit error : errors) {
      String keyword = keyword(error.getKeywordLocation());
      if (isSummary(keyword) || error.getError() == null) {
        continue;
      }
      String field = field(root, error.getInstanceLocation());
      String problem = error.getError();
      Matcher quoted = QUOTED.matcher(problem);
      if ("required".equals(keyword) && quoted.find()) {
        field = join(field, quoted.group(1));
        problem = "is missing";
      } else if ("additionalProperties".equals(keyword)) {
        problem = UNKNOWN_FIELD;
      } else if ("minItems".equals(keyword)) {
        problem = "must not be empty";
      } else if (("minimum".equals(keyword) || "maximum".equals(keyword)) && problem.contains(" than ")) {
        problem = "must be at " + ("minimum".equals(keyword) ? "least " : "most ")
            + problem.substring(problem.lastIndexOf(' ') + 1);
      } else {
        problem = readable(problem);
      }
      byField.putIfAbsent(field.isEmpty() ? "body" : field, problem);
    }
    List<Detail> details = new ArrayList<>();
    byField.forEach((f, p) -> details.add(new Detail(f, p)));
    return details;
  }

  private static boolean isSummary(String keyword) {
    return switch (keyword) {
      case "$ref", "$dynamicRef", "$recursiveRef", "properties", "items", "prefixItems", "allOf", "anyOf",
          "patternProperties", "unevaluatedProperties", "unevaluatedItems" -> true;
      default -> false;
    };
  }

  private static String keyword(String keywordLocation) {
    if (keywordLocation == null) {
      return "";
    }
    return keywordLocation.substring(keywordLocation.lastIndexOf('/') + 1);
  }

  /** {@code #/messageIds/0} under {@code root} as {@code messageIds[0]}. */
  static String field(String root, String instanceLocation) {
    String field = root;
    if (instanceLocation == null) {
      return field;
    }
    for (String segment : instanceLocation.replaceFirst("^#", "").split("/")) {
      if (segment.isEmpty()) {
        continue;
      }
      String name = segment.replace("~1", "/").replace("~0", "~");
      field = name.chars().allMatch(Character::isDigit) ? field + "[" + name + "]" : join(field, name);
    }
    return field;
  }

  private static String join(String parent, String child) {
    return parent.isEmpty() ? child : parent + "." + child;
  }

  private static String readable(String problem) {
    Matcher type = TYPE.matcher(problem);
    if (type.matches()) {
      return "must be of type " + type.group(2).replace(",", " or") + ", not " + type.group(1);
    }
    if (problem.startsWith("Instance does not match any of ")) {
      return "must be one of " + problem.substring("Instance does not match any of ".length());
    }
    return problem;
  }
}
