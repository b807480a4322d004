package io.pulsarproxy.loadtests;

import java.net.URI;
import java.util.HashMap;
import java.util.Map;

/**
 * The command line of the load clients ({@link WsProduceLoad}, {@link WsConsumeLoad}): a required {@code --url} and
 * {@code --name value} options, each with a default. A bad command line prints the usage and exits with status 2.
 */
final class LoadArgs {
  private LoadArgs() {}

  /** The options, defaults filled in, with the URL under {@code url}. */
  static Map<String, String> parse(String usage, String[] args, Map<String, String> defaults) {
    Map<String, String> options = new HashMap<>(defaults);
    String url = null;
    for (int i = 0; i < args.length; i++) {
      String name = args[i].startsWith("--") ? args[i].substring(2) : null;
      if (name == null || i + 1 >= args.length || !(name.equals("url") || options.containsKey(name))) {
        System.err.println("usage: " + usage);
        System.exit(2);
      }
      if (name.equals("url")) {
        url = args[++i];
      } else {
        options.put(name, args[++i]);
      }
    }
    if (url == null) {
      System.err.println("--url is required");
      System.exit(2);
    }
    options.put("url", url);
    return options;
  }

  /** The URL with the {@code query} option appended (when not empty). */
  static URI url(Map<String, String> options) {
    String url = options.get("url");
    String query = options.getOrDefault("query", "");
    return URI.create(url + (query.isEmpty() ? "" : (url.contains("?") ? "&" : "?") + query));
  }
}
