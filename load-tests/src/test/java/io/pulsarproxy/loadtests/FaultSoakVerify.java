package io.pulsarproxy.loadtests;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.pulsar.client.api.Message;
import org.apache.pulsar.client.api.MessageId;
import org.apache.pulsar.client.api.PulsarClient;
import org.apache.pulsar.client.api.Reader;

/**
 * Reads the topics of a {@link FaultSoakLoad} run back from the broker, from the earliest message, with the plain
 * Java client (not through the proxy), and compares the sequence numbers stored with those the proxy acknowledged.
 * Per source: acknowledged, stored (distinct), lost (acknowledged but not stored), duplicates (stored more than
 * once: a retry inside the client after a broker restart, not a loss) and stored without an acknowledgement (a 503,
 * a timeout or a socket that closed after the broker had the message). Writes {@code verify.json} under
 * {@code --out}, the lost sequence numbers to {@code lost-<source>.txt}; exit status 0 when nothing was lost.
 *
 * <pre>
 * java -cp … io.pulsarproxy.loadtests.FaultSoakVerify --url pulsar://127.0.0.1:6650 --out DIR
 * </pre>
 */
public final class FaultSoakVerify {
  private FaultSoakVerify() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> options = LoadArgs.parse("FaultSoakVerify --url pulsar://host:port --out DIR", args,
        Map.of("out", "soak-load"));
    Path out = Path.of(options.get("out"));
    JsonObject load = new JsonObject(Files.readString(out.resolve("load.json")));
    JsonObject result = new JsonObject();
    long lostTotal = 0;
    try (PulsarClient client = PulsarClient.builder().serviceUrl(options.get("url"))
        .operationTimeout(120, TimeUnit.SECONDS).build()) {
      for (String source : List.of("single", "batch", "ws")) {
        String topic = load.getJsonObject("sources").getJsonObject(source).getString("topic");
        BitSet acked = read(out.resolve("acked-" + source + ".txt"));
        BitSet stored = new BitSet();
        long total = 0;
        long unreadable = 0;
        try (Reader<byte[]> reader = client.newReader().topic(topic).startMessageId(MessageId.earliest)
            .receiverQueueSize(1000).create()) {
          while (reader.hasMessageAvailable()) {
            Message<byte[]> message = reader.readNext(60, TimeUnit.SECONDS);
            if (message == null) {
              break;
            }
            int seq = FaultSoakLoad.seqOf(new String(message.getValue(), StandardCharsets.UTF_8));
            if (seq < 0) {
              unreadable++;
              continue;
            }
            total++;
            stored.set(seq);
          }
        }
        BitSet lost = (BitSet) acked.clone();
        lost.andNot(stored);
        BitSet unacked = (BitSet) stored.clone();
        unacked.andNot(acked);
        StringBuilder lostList = new StringBuilder();
        lost.stream().forEach(i -> lostList.append(i).append('\n'));
        Files.writeString(out.resolve("lost-" + source + ".txt"), lostList);
        lostTotal += lost.cardinality();
        result.put(source, new JsonObject().put("topic", topic).put("acked", acked.cardinality())
            .put("storedDistinct", stored.cardinality()).put("storedTotal", total)
            .put("duplicates", total - stored.cardinality()).put("lost", lost.cardinality())
            .put("storedNotAcked", unacked.cardinality()).put("unreadable", unreadable));
        System.err.println("verify: " + source + " " + result.getJsonObject(source).encode());
      }
    }
    result.put("lost", lostTotal);
    Files.writeString(out.resolve("verify.json"), result.encodePrettily());
    System.exit(lostTotal == 0 ? 0 : 1);
  }

  private static BitSet read(Path file) throws Exception {
    BitSet seqs = new BitSet();
    for (String line : Files.readAllLines(file)) {
      if (!line.isBlank()) {
        seqs.set(Integer.parseInt(line.trim()));
      }
    }
    return seqs;
  }
}
