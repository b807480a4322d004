package io.pulsarproxy.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.pulsarproxy.config.ConfigLoader;
import io.pulsarproxy.config.ProxyConfig;
import io.pulsarproxy.metrics.ProxyMetrics;
import io.pulsarproxy.testkit.TestCertificates;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.junit5.VertxExtension;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.Security;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import javax.net.ssl.SSLSocket;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The edge listener with {@code http.tls.*}: a tiny set of routes ({@code /whoami} answers the client certificate's
 * CN and the HTTP version, {@code /echo} is a WebSocket echo) behind the real EdgeVerticle, with certificates made
 * by the test.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class EdgeTlsTest {
  static {
    // The JDK refuses TLS 1.0 and 1.1 on its own (jdk.tls.disabledAlgorithms). Allow them in this test JVM, before
    // anything uses TLS, so that what refuses TLS 1.1 below is the edge's own setting, as on a JVM configured to allow
    // them; a server without that setting (the control in refusesTls11AndAcceptsTls12) then accepts TLS 1.1.
    String disabled = Security.getProperty("jdk.tls.disabledAlgorithms");
    Security.setProperty("jdk.tls.disabledAlgorithms", Arrays.stream(disabled.split(","))
        .map(String::trim).filter(a -> !a.equals("TLSv1") && !a.equals("TLSv1.1")).collect(Collectors.joining(", ")));
  }

  @TempDir
  Path dir;

  private Vertx vertx;
  private TestCertificates.Authority ca;
  private Path certFile;
  private Path keyFile;
  private Path caFile;

  private static final EdgeRoutes ROUTES = (vertx, router) -> {
    router.get("/whoami").handler(ctx -> ctx.end(
        ClientCertificates.commonName(ctx).orElse("anonymous") + " " + ctx.request().version()));
    router.route("/echo").handler(ctx -> ctx.request().toWebSocket()
        .onSuccess(ws -> ws.textMessageHandler(ws::writeTextMessage)));
  };

  @BeforeEach
  void certificates(Vertx vertx) {
    this.vertx = vertx;
    ca = TestCertificates.authority("edge test CA");
    TestCertificates.Issued server = ca.issue("localhost", "localhost", "127.0.0.1");
    certFile = server.writeCert(dir.resolve("server.crt"));
    keyFile = server.writeKey(dir.resolve("server.key"));
    caFile = ca.writeCert(dir.resolve("ca.crt"));
  }

  private JsonObject pemTls() {
    return new JsonObject().put("certFile", certFile.toString()).put("keyFile", keyFile.toString())
        .put("reloadInterval", "100ms");
  }

  /** Starts the edge with {@code tls} as {@code http.tls} and returns its port. */
  private int startEdge(JsonObject tls) {
    ProxyConfig config = ConfigLoader.build(new JsonObject()
        .put("http", new JsonObject().put("host", "127.0.0.1").put("port", 0).put("tls", tls)));
    EdgeVerticle edge = new EdgeVerticle(config, ProxyMetrics.noop(), List.of(ROUTES));
    await(vertx.deployVerticle(edge));
    return edge.actualPort();
  }

  private HttpClientOptions trustingCa() {
    return new HttpClientOptions().setSsl(true).setTrustOptions(new PemTrustOptions().addCertValue(
        Buffer.buffer(ca.certificatePem())));
  }

  private static PemKeyCertOptions clientCertificate(TestCertificates.Issued client) {
    return new PemKeyCertOptions().setCertValue(Buffer.buffer(client.chainPem()))
        .setKeyValue(Buffer.buffer(client.keyPem()));
  }

  private String whoami(HttpClientOptions options, int port) {
    HttpClientAgent client = vertx.createHttpClient(options);
    try {
      return await(client.request(new RequestOptions().setHost("localhost").setPort(port).setURI("/whoami"))
          .compose(request -> request.send())
          .compose(response -> response.statusCode() == 200 ? response.body()
              : Future.failedFuture("status " + response.statusCode()))).toString();
    } finally {
      client.close();
    }
  }

  @Test
  void servesHttpsAndWss() throws Exception {
    int port = startEdge(pemTls());

    assertThat(whoami(trustingCa(), port)).isEqualTo("anonymous HTTP_1_1");

    WebSocketClient wsClient = vertx.createWebSocketClient(new WebSocketClientOptions().setSsl(true)
        .setTrustOptions(new PemTrustOptions().addCertValue(Buffer.buffer(ca.certificatePem()))));
    WebSocket ws = await(wsClient.connect(new WebSocketConnectOptions().setHost("localhost").setPort(port)
        .setURI("/echo").setSsl(true)));
    assertThat(ws.isSsl()).isTrue();
    assertThat(echo(ws, "over wss")).isEqualTo("over wss");

    // The port speaks TLS only.
    Throwable plain = catchThrowable(() -> whoami(new HttpClientOptions(), port));
    assertThat(plain).isNotNull();
    // Closed here, and so referred to until here: Vert.x closes a client nothing refers to, with its sockets.
    await(wsClient.close());
  }

  @Test
  void servesFromAPkcs12KeyStore() {
    Path p12 = ca.issue("localhost", "localhost", "127.0.0.1").writePkcs12(dir.resolve("server.p12"), "changeit");
    int port = startEdge(new JsonObject().put("keyStoreFile", p12.toString()).put("keyStorePassword", "changeit"));

    assertThat(whoami(trustingCa(), port)).isEqualTo("anonymous HTTP_1_1");
  }

  @Test
  void negotiatesHttp2ThroughAlpn() {
    int port = startEdge(pemTls());

    assertThat(whoami(trustingCa().setProtocolVersion(HttpVersion.HTTP_2).setUseAlpn(true), port))
        .isEqualTo("anonymous HTTP_2");
  }

  @Test
  void refusesTls11AndAcceptsTls12() throws IOException {
    int port = startEdge(pemTls());

    // A hand-written ClientHello, so that no client library decides what is offered.
    assertThat(firstRecordType(port, 0x0302)).as("answer to a TLS 1.1 ClientHello: an alert or nothing")
        .isIn(ALERT, -1);
    assertThat(firstRecordType(port, 0x0303)).as("answer to the same ClientHello as TLS 1.2: a ServerHello")
        .isEqualTo(HANDSHAKE);

    // The control: a server with the same certificate that allows TLS 1.1 answers the same hello with a ServerHello.
    HttpServer lenient = await(vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0)
            .setSsl(true).setKeyCertOptions(new PemKeyCertOptions().setCertPath(certFile.toString())
                .setKeyPath(keyFile.toString()))
            .setEnabledSecureTransportProtocols(Set.of("TLSv1.1", "TLSv1.2", "TLSv1.3")))
        .requestHandler(request -> request.response().end()).listen());
    assertThat(firstRecordType(lenient.actualPort(), 0x0302))
        .as("a server allowing TLS 1.1 answers the TLS 1.1 ClientHello with a ServerHello").isEqualTo(HANDSHAKE);
  }

  @Test
  void requiredClientCertificateMustBeSignedByTheTrustedCa() {
    int port = startEdge(pemTls().put("clientAuth", "require").put("trustFile", caFile.toString()));

    assertThat(catchThrowable(() -> whoami(trustingCa(), port))).as("no client certificate").isNotNull();
    TestCertificates.Issued stranger = TestCertificates.authority("another CA").issue("mallory");
    assertThat(catchThrowable(() -> whoami(trustingCa().setKeyCertOptions(clientCertificate(stranger)), port)))
        .as("a certificate of another CA").isNotNull();

    TestCertificates.Issued alice = ca.issue("alice");
    assertThat(whoami(trustingCa().setKeyCertOptions(clientCertificate(alice)), port)).isEqualTo("alice HTTP_1_1");
    assertThat(whoami(trustingCa().setKeyCertOptions(clientCertificate(alice))
        .setProtocolVersion(HttpVersion.HTTP_2).setUseAlpn(true), port)).isEqualTo("alice HTTP_2");
  }

  @Test
  void requestedClientCertificateIsOptional() {
    int port = startEdge(pemTls().put("clientAuth", "request").put("trustFile", caFile.toString()));

    assertThat(whoami(trustingCa(), port)).isEqualTo("anonymous HTTP_1_1");
    assertThat(whoami(trustingCa().setKeyCertOptions(clientCertificate(ca.issue("bob"))), port))
        .isEqualTo("bob HTTP_1_1");
  }

  @Test
  void clientCertificateNamesAreReadable() {
    X509Certificate cert = ca.issue("svc-orders", "orders.internal.example", "10.0.0.7").certificate();
    assertThat(ClientCertificates.commonName(cert)).contains("svc-orders");
    assertThat(ClientCertificates.subjectAlternativeNames(cert, ClientCertificates.SanType.DNS))
        .containsExactly("orders.internal.example");
    assertThat(ClientCertificates.subjectAlternativeNames(cert, ClientCertificates.SanType.IP))
        .containsExactly("10.0.0.7");
    assertThat(ClientCertificates.subjectAlternativeNames(cert, ClientCertificates.SanType.EMAIL)).isEmpty();
  }

  @Test
  void servesARotatedCertificateToNewConnectionsWhileAnOpenWebSocketCarriesOn() throws Exception {
    int port = startEdge(pemTls());
    BigInteger before = servedSerial(port);

    WebSocketClient wsClient = vertx.createWebSocketClient(new WebSocketClientOptions().setSsl(true)
        .setTrustOptions(new PemTrustOptions().addCertValue(Buffer.buffer(ca.certificatePem()))));
    WebSocket ws = await(wsClient.connect(new WebSocketConnectOptions().setHost("localhost").setPort(port)
        .setURI("/echo").setSsl(true)));
    assertThat(echo(ws, "before")).isEqualTo("before");

    TestCertificates.Issued rotated = ca.issue("localhost", "localhost", "127.0.0.1");
    // Key first, then the certificate: in between the files do not match, and the server keeps the old pair.
    rotated.writeKey(keyFile);
    rotated.writeCert(certFile);
    BigInteger after = rotated.certificate().getSerialNumber();
    assertThat(after).isNotEqualTo(before);

    Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
        .until(() -> servedSerial(port).equals(after));
    assertThat(ws.isClosed()).isFalse();
    assertThat(echo(ws, "after the rotation")).isEqualTo("after the rotation");
    assertThat(whoami(trustingCa(), port)).isEqualTo("anonymous HTTP_1_1");
    await(wsClient.close());
  }

  /** The serial number of the certificate the server presents to a new connection. */
  private BigInteger servedSerial(int port) throws IOException {
    try (SSLSocket socket = (SSLSocket) ca.clientContext().getSocketFactory().createSocket("127.0.0.1", port)) {
      socket.setSoTimeout(30_000);
      socket.startHandshake();
      return ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSerialNumber();
    }
  }

  private static String echo(WebSocket ws, String text) throws InterruptedException {
    BlockingQueue<String> received = new ArrayBlockingQueue<>(1);
    ws.textMessageHandler(received::offer);
    ws.writeTextMessage(text);
    String answer = received.poll(30, TimeUnit.SECONDS);
    assertThat(answer).as("echo of '" + text + "' within 30 s").isNotNull();
    return answer;
  }

  private static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e.getCause() == null ? e : e.getCause());
    }
  }

  private static final int HANDSHAKE = 0x16;
  private static final int ALERT = 0x15;

  /** Sends a ClientHello offering {@code version} only and returns the type of the server's first record (-1: none). */
  private static int firstRecordType(int port, int version) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(30_000);
      socket.getOutputStream().write(clientHello(version));
      socket.getOutputStream().flush();
      InputStream in = socket.getInputStream();
      try {
        return in.read();
      } catch (SocketTimeoutException noAnswer) {
        throw noAnswer;
      } catch (SocketException reset) {
        return -1;
      }
    }
  }

  /** A TLS 1.0–1.2 style ClientHello (no supported_versions extension) with ECDHE suites for EC and RSA keys. */
  private static byte[] clientHello(int version) {
    ByteArrayOutputStream hello = new ByteArrayOutputStream();
    u16(hello, version);
    byte[] random = new byte[32];
    new SecureRandom().nextBytes(random);
    hello.writeBytes(random);
    hello.write(0);                                   // no session id
    int[] suites = {0xC02B, 0xC02F, 0xC009, 0xC013};  // ECDHE_{ECDSA,RSA}_WITH_AES_128_{GCM_SHA256,CBC_SHA}
    u16(hello, suites.length * 2);
    for (int suite : suites) {
      u16(hello, suite);
    }
    hello.write(1);                                   // compression methods: null only
    hello.write(0);
    ByteArrayOutputStream extensions = new ByteArrayOutputStream();
    extension(extensions, 0x000a, new byte[] {0, 4, 0, 0x17, 0, 0x1d});           // groups: P-256, X25519
    extension(extensions, 0x000b, new byte[] {1, 0});                             // points: uncompressed
    extension(extensions, 0x000d, new byte[] {0, 6, 4, 3, 8, 4, 4, 1});           // ecdsa/pss/pkcs1 sha256
    u16(hello, extensions.size());
    hello.writeBytes(extensions.toByteArray());

    ByteArrayOutputStream record = new ByteArrayOutputStream();
    record.write(HANDSHAKE);
    u16(record, 0x0301);
    u16(record, hello.size() + 4);
    record.write(1);                                  // client_hello
    record.write(0);
    u16(record, hello.size());
    record.writeBytes(hello.toByteArray());
    return record.toByteArray();
  }

  private static void extension(ByteArrayOutputStream out, int type, byte[] data) {
    u16(out, type);
    u16(out, data.length);
    out.writeBytes(data);
  }

  private static void u16(ByteArrayOutputStream out, int value) {
    out.write(value >> 8 & 0xff);
    out.write(value & 0xff);
  }
}
