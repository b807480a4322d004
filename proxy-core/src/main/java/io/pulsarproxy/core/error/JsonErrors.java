package io.pulsarproxy.core.error;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;

/**
 * Says what is wrong with malformed JSON the way a client can act on it: the problem and where it is
 * ({@code unexpected character '}' at line 1, column 14}), without the parser's class names, source descriptions
 * and character codes.
 */
public final class JsonErrors {
  private JsonErrors() {}

  /** What is wrong with the JSON that failed to parse with {@code failure} (typically Vert.x's DecodeException). */
  public static String describe(Throwable failure) {
    JsonProcessingException jackson = null;
    for (Throwable t = failure; t != null && jackson == null; t = t.getCause()) {
      if (t instanceof JsonProcessingException j) {
        jackson = j;
      }
    }
    if (jackson == null) {
      return "malformed JSON";
    }
    String problem = clean(jackson.getOriginalMessage());
    JsonLocation at = jackson.getLocation();
    String where = at == null || at.getLineNr() < 1 ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
    return "malformed JSON" + where + (problem.isEmpty() ? "" : ": " + problem);
  }

  /** The first sentence of Jackson's message, without character codes and source descriptions. */
  static String clean(String message) {
    if (message == null) {
      return "";
    }
    String s = message;
    int cut = indexOfAny(s, "\n", " at [Source", " (start marker at", " (for ", "; line:");
    if (cut >= 0) {
      s = s.substring(0, cut);
    }
    s = s.replaceAll(" \\(code \\d+\\)", "")
        .replaceAll("\\(CTRL-CHAR, code \\d+\\)", "(a control character)")
        .replace("Unexpected character (", "unexpected character ")
        .replace("Unexpected end-of-input", "unexpected end of input")
        .replace("Unrecognized token", "unrecognized token")
        .replace("Unexpected close marker", "unexpected close marker");
    s = s.replaceAll("^(unexpected character '[^']*')\\)", "$1");
    return s.trim();
  }

  private static int indexOfAny(String s, String... needles) {
    int best = -1;
    for (String n : needles) {
      int i = s.indexOf(n);
      if (i >= 0 && (best < 0 || i < best)) {
        best = i;
      }
    }
    return best;
  }
}
