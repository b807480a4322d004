package io.pulsarproxy.core.schema.decode;

import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.DescriptorValidationException;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Protobuf native → protobuf's canonical JSON ({@link JsonFormat}, proto field names), read as a
 * {@link DynamicMessage} of the root message type of the schema's descriptor set. Pulsar stores the schema as
 * {@code {"fileDescriptorSet": base64, "rootMessageTypeName": …, "rootFileDescriptorName": …}}.
 */
public final class ProtobufJson {
  private ProtobufJson() {}

  /** A decoder for bodies written with the PROTOBUF_NATIVE schema whose definition is {@code schemaData}. */
  public static ValueDecoder decoder(byte[] schemaData) {
    Descriptor root;
    try {
      JsonObject data = new JsonObject(new String(schemaData, StandardCharsets.UTF_8));
      FileDescriptorSet set =
          FileDescriptorSet.parseFrom(Base64.getDecoder().decode(data.getString("fileDescriptorSet")));
      root = rootType(set, data.getString("rootMessageTypeName"));
    } catch (DecodeException | ClassCastException | IllegalArgumentException | NullPointerException
        | InvalidProtocolBufferException | DescriptorValidationException e) {
      throw new UndecodableException("the Protobuf schema of this version cannot be read");
    }
    return decoder(root);
  }

  public static ValueDecoder decoder(Descriptor root) {
    JsonFormat.Printer printer = JsonFormat.printer().preservingProtoFieldNames().omittingInsignificantWhitespace();
    return (body, key) -> {
      DynamicMessage message;
      try {
        message = DynamicMessage.parseFrom(root, body);
      } catch (InvalidProtocolBufferException e) {
        throw new UndecodableException("not Protobuf of message type " + root.getFullName());
      }
      try {
        return new JsonObject(printer.print(message));
      } catch (InvalidProtocolBufferException e) {
        throw new UndecodableException("the Protobuf message has no JSON form");
      }
    };
  }

  private static Descriptor rootType(FileDescriptorSet set, String rootMessageTypeName)
      throws DescriptorValidationException {
    Map<String, FileDescriptorProto> protos = new HashMap<>();
    set.getFileList().forEach(f -> protos.put(f.getName(), f));
    Map<String, FileDescriptor> built = new HashMap<>();
    for (FileDescriptorProto proto : set.getFileList()) {
      FileDescriptor file = build(proto.getName(), protos, built);
      Descriptor found = find(file.getMessageTypes(), rootMessageTypeName);
      if (found != null) {
        return found;
      }
    }
    throw new IllegalArgumentException("no message type " + rootMessageTypeName);
  }

  /** Builds a file after the files it imports (a descriptor set lists each file once). */
  private static FileDescriptor build(String name, Map<String, FileDescriptorProto> protos,
      Map<String, FileDescriptor> built) throws DescriptorValidationException {
    FileDescriptor done = built.get(name);
    if (done != null) {
      return done;
    }
    FileDescriptorProto proto = protos.get(name);
    if (proto == null) {
      throw new IllegalArgumentException("missing file " + name);
    }
    FileDescriptor[] dependencies = new FileDescriptor[proto.getDependencyCount()];
    for (int i = 0; i < dependencies.length; i++) {
      dependencies[i] = build(proto.getDependency(i), protos, built);
    }
    FileDescriptor file = FileDescriptor.buildFrom(proto, dependencies);
    built.put(name, file);
    return file;
  }

  private static Descriptor find(List<Descriptor> types, String fullName) {
    for (Descriptor type : types) {
      if (type.getFullName().equals(fullName)) {
        return type;
      }
      Descriptor nested = find(type.getNestedTypes(), fullName);
      if (nested != null) {
        return nested;
      }
    }
    return null;
  }
}
