import de.bwaldvogel.mongo.MongoBackend;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.MongoVersion;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import java.util.List;

/**
 * Local MongoDB-wire server for Sluice (mongo-java-server 1.47.0), started by infra/stack in host
 * mode. Listens on loopback only; the oplog is enabled so that change streams work.
 *
 * <p>It reports itself as MongoDB 5.0 with wire version 13: the library's own MONGO_5_0 reports
 * wire version 8, which the Node.js driver 7 rejects (it needs at least 9, MongoDB 4.4).
 *
 * <pre>
 *   java -cp "$CACHE/mongo-java-server-1.47.0/*:launcher" SluiceMongoServer \
 *       [--host 127.0.0.1] [--port 27017] [--backend memory | --backend h2 --file path.mv] [--no-oplog]
 *       [--mongo-version 4.4|5.0|6.0|7.0]
 * </pre>
 */
public final class SluiceMongoServer {
  private SluiceMongoServer() {}

  private static void usage(String problem) {
    System.err.println("SluiceMongoServer: " + problem);
    System.err.println(
        "usage: SluiceMongoServer [--host 127.0.0.1] [--port 27017] [--backend memory|h2] [--file path] [--no-oplog]"
            + " [--mongo-version 4.4|5.0|6.0|7.0]");
    System.exit(2);
  }

  public static void main(String[] args) throws Exception {
    String host = "127.0.0.1";
    int port = 27017;
    String backendName = "memory";
    String file = null;
    boolean oplog = true;
    String mongoVersion = "5.0";
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      switch (a) {
        case "--host" -> host = value(args, ++i, a);
        case "--port" -> port = Integer.parseInt(value(args, ++i, a));
        case "--backend" -> backendName = value(args, ++i, a);
        case "--file" -> file = value(args, ++i, a);
        case "--no-oplog" -> oplog = false;
        case "--mongo-version" -> mongoVersion = value(args, ++i, a);
        default -> usage("unknown argument " + a);
      }
    }
    if (!host.equals("127.0.0.1") && !host.equals("::1") && !host.equals("localhost")) {
      usage("refusing to listen on non-loopback host " + host);
    }

    MongoBackend backend;
    if (backendName.equals("memory")) {
      backend = new MemoryBackend();
    } else if (backendName.equals("h2")) {
      if (file == null) usage("--backend h2 needs --file <path>");
      backend = new H2Backend(file);
    } else {
      usage("unknown backend " + backendName);
      return;
    }

    backend.version(version(mongoVersion));
    MongoServer server = new MongoServer(backend);
    if (oplog) server.enableOplog();
    server.bind(host, port);
    // shutdown() also closes the backend, which flushes the H2 store.
    Runtime.getRuntime().addShutdownHook(new Thread(server::shutdown, "sluice-mongo-shutdown"));
    System.out.println(
        "SluiceMongoServer listening on "
            + host
            + ":"
            + port
            + " backend="
            + backendName
            + (file != null ? " file=" + file : "")
            + " oplog="
            + oplog
            + " version="
            + mongoVersion);
    System.out.flush();
    Thread.currentThread().join();
  }

  private static MongoVersion version(String name) {
    int wire =
        switch (name) {
          case "4.4" -> 9;
          case "5.0" -> 13;
          case "6.0" -> 17;
          case "7.0" -> 21;
          default -> {
            usage("unknown --mongo-version " + name);
            yield 0;
          }
        };
    String[] parts = name.split("\\.");
    List<Integer> array = List.of(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]), 0);
    return new MongoVersion() {
      @Override
      public List<Integer> getVersionArray() {
        return array;
      }

      @Override
      public int getWireVersion() {
        return wire;
      }
    };
  }

  private static String value(String[] args, int i, String flag) {
    if (i >= args.length) usage(flag + " needs a value");
    return args[i];
  }
}
