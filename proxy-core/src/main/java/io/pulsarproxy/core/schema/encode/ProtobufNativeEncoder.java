package io.pulsarproxy.core.schema.encode;

import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.Descriptors;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

/**
 * Pulsar's PROTOBUF_NATIVE schema: the definition ({@code ProtobufNativeSchemaData}) holds a base64
 * {@code FileDescriptorSet} and the root message's full name. The value is protobuf's canonical JSON
 * ({@link JsonFormat}; field names as in the .proto or in lowerCamelCase), turned into a {@link DynamicMessage}.
 */
public final class ProtobufNativeEncoder implements ValueEncoder {
  private final Descriptor root;
  private final JsonFormat.Parser parser = JsonFormat.parser();

  public ProtobufNativeEncoder(Descriptor root) {
    this.root = root;
  }

  /** The root message of a {@code ProtobufNativeSchemaData} definition. */
  public static Descriptor rootOf(String definition) {
    JsonObject data = new JsonObject(definition);
    try {
      FileDescriptorSet set = FileDescriptorSet.parseFrom(Base64.getDecoder().decode(data.getString(
          "fileDescriptorSet")));
      Map<String, FileDescriptorProto> protos = new HashMap<>();
      set.getFileList().forEach(f -> protos.put(f.getName(), f));
      Map<String, FileDescriptor> built = new HashMap<>();
      String rootName = data.getString("rootMessageTypeName");
      for (FileDescriptorProto proto : set.getFileList()) {
        Descriptor found = fileOf(proto, protos, built).findMessageTypeByName(simpleName(rootName, proto));
        if (found != null && found.getFullName().equals(rootName)) {
          return found;
        }
      }
      throw new IllegalArgumentException("the descriptor set has no message " + rootName);
    } catch (InvalidProtocolBufferException | Descriptors.DescriptorValidationException e) {
      throw new IllegalArgumentException("not a valid protobuf descriptor set: " + e.getMessage(), e);
    }
  }

  private static String simpleName(String fullName, FileDescriptorProto proto) {
    String prefix = proto.getPackage().isEmpty() ? "" : proto.getPackage() + ".";
    return fullName.startsWith(prefix) ? fullName.substring(prefix.length()) : fullName;
  }

  private static FileDescriptor fileOf(FileDescriptorProto proto, Map<String, FileDescriptorProto> protos,
      Map<String, FileDescriptor> built) throws Descriptors.DescriptorValidationException {
    FileDescriptor done = built.get(proto.getName());
    if (done != null) {
      return done;
    }
    FileDescriptor[] deps = new FileDescriptor[proto.getDependencyCount()];
    for (int i = 0; i < deps.length; i++) {
      FileDescriptorProto dep = protos.get(proto.getDependency(i));
      if (dep == null) {
        throw new IllegalArgumentException("the descriptor set lacks " + proto.getDependency(i));
      }
      deps[i] = fileOf(dep, protos, built);
    }
    FileDescriptor file = FileDescriptor.buildFrom(proto, deps);
    built.put(proto.getName(), file);
    return file;
  }

  @Override
  public Encoded encode(Object json, String path) {
    if (!(json instanceof JsonObject)) {
      throw SchemaMismatch.expected(path, "object (message " + root.getFullName() + ")", json);
    }
    DynamicMessage.Builder builder = DynamicMessage.newBuilder(root);
    try {
      parser.merge(Json.encode(json), builder);
    } catch (InvalidProtocolBufferException | RuntimeException e) {
      throw new SchemaMismatch(path, "does not fit message " + root.getFullName() + ": " + e.getMessage());
    }
    return Encoded.of(builder.build().toByteArray());
  }
}
