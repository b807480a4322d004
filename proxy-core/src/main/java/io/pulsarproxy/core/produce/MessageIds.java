package io.pulsarproxy.core.produce;

import io.pulsarproxy.core.error.ProxyException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Base64;
import org.apache.pulsar.client.api.MessageId;
import org.apache.pulsar.client.api.MessageIdAdv;

/**
 * Message ids as clients see them: standard base64 of the protobuf {@code MessageIdData}, the encoding of Pulsar's
 * own WebSocket API ({@link MessageId#toByteArray()}), so ids are interchangeable between the proxy's HTTP and
 * WebSocket APIs and Pulsar's tools.
 *
 * <p>One normalisation: a message of a batch is identified by ledger, entry, partition and batch index. The Java
 * client writes the batch size into ids it receives but not into the ids a producer gets back, so the same message
 * would have two encodings. The proxy always writes the producer's form (batch size 0), which makes the id in a
 * produce answer byte-for-byte the id a consumer or reader later sees. Non-batched ids are exactly Pulsar's bytes.
 */
public final class MessageIds {
  private MessageIds() {}

  public static String encode(MessageId id) {
    return Base64.getEncoder().encodeToString(toBytes(id));
  }

  static byte[] toBytes(MessageId id) {
    if (id instanceof MessageIdAdv adv && adv.getBatchIndex() >= 0 && adv.getBatchSize() > 0
        && adv.getFirstChunkMessageId() == null) {
      ByteArrayOutputStream out = new ByteArrayOutputStream(24);
      writeVarintField(out, 1, adv.getLedgerId());
      writeVarintField(out, 2, adv.getEntryId());
      if (adv.getPartitionIndex() >= 0) {
        writeVarintField(out, 3, adv.getPartitionIndex());
      }
      writeVarintField(out, 4, adv.getBatchIndex());
      writeVarintField(out, 6, 0);
      return out.toByteArray();
    }
    return id.toByteArray();
  }

  /** Decodes a client-supplied id, failing with a 400 naming {@code field} when it is not one. */
  public static MessageId decode(String base64, String field) {
    try {
      return MessageId.fromByteArray(Base64.getDecoder().decode(base64));
    } catch (IllegalArgumentException | IOException | NullPointerException | IllegalStateException e) {
      throw ProxyException.badField(field, "'" + base64 + "' is not a message id (base64 of a Pulsar MessageId)");
    }
  }

  private static void writeVarintField(ByteArrayOutputStream out, int field, long value) {
    writeVarint(out, (long) field << 3); // wire type 0: varint
    writeVarint(out, value);
  }

  private static void writeVarint(ByteArrayOutputStream out, long value) {
    long v = value;
    while ((v & ~0x7FL) != 0) {
      out.write((int) ((v & 0x7F) | 0x80));
      v >>>= 7;
    }
    out.write((int) v);
  }
}
