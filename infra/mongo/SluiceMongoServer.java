import de.bwaldvogel.mongo.MongoBackend;
import de.bwaldvogel.mongo.MongoCollection;
import de.bwaldvogel.mongo.MongoDatabase;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.MongoVersion;
import de.bwaldvogel.mongo.backend.ArrayFilters;
import de.bwaldvogel.mongo.backend.CollectionOptions;
import de.bwaldvogel.mongo.backend.CursorRegistry;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.backend.QueryResult;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.backend.h2.H2Collection;
import de.bwaldvogel.mongo.backend.h2.H2Database;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import de.bwaldvogel.mongo.backend.memory.MemoryCollection;
import de.bwaldvogel.mongo.backend.memory.MemoryDatabase;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.bson.ObjectId;
import de.bwaldvogel.mongo.oplog.Oplog;
import io.netty.channel.Channel;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;

/**
 * Local MongoDB-wire server for Sluice (mongo-java-server 1.47.0), started by infra/stack in host
 * mode. Listens on loopback only.
 *
 * <p>The oplog is off unless {@code --oplog} is given: Sluice uses no change streams, and
 * mongo-java-server's oplog is an uncapped in-memory collection that keeps every write (a real
 * mongod's is capped). Left on, a long-lived dev stack grew to a 6 GB heap after ~30 worker
 * benchmark runs and the JVM spent its time in garbage collection (throughput fell ~3×, then a
 * benchmark round hung).
 *
 * <p>It reports itself as MongoDB 5.0 with wire version 13: the library's own MONGO_5_0 reports
 * wire version 8, which the Node.js driver 7 rejects (it needs at least 9, MongoDB 4.4).
 *
 * <pre>
 *   java -cp "$CACHE/mongo-java-server-1.47.0/*:launcher" SluiceMongoServer \
 *       [--host 127.0.0.1] [--port 27017] [--backend memory | --backend h2 --file path.mv] [--no-oplog]
 *       [--mongo-version 4.4|5.0|6.0|7.0]
 * </pre>
 *
 * <h2>Why the backends are subclassed: no torn reads</h2>
 *
 * <p>In mongo-java-server 1.47.0 a query hands out the stored {@code Document} objects themselves
 * ({@code AbstractMongoCollection.matchDocumentsFromStream} → {@code createQueryResult}; also
 * {@code findAndModify} with {@code new: true}), and {@code AbstractMongoCollection.updateDocument}
 * applies an update by mutating that stored object one field at a time. The collection lock ({@code
 * AbstractSynchronizedMongoCollection}) is released when the query returns, but the reply is
 * encoded to BSON later, on a netty thread, while the next update may be mutating the same object.
 * A reader can thus see half an update (the new {@code version} with the old {@code counter}), and a
 * compare-and-set writer then stores a stale field under a current version: a lost update (the
 * intermittent failure of test/integration/jobs-cas-property.test.ts). Real MongoDB never returns a
 * torn document. Both backends (memory and H2, whose MVMap caches the same objects) are affected.
 *
 * <p>The {@code Snapshot*} classes below make every query result a deep copy, taken in {@code
 * createQueryResult} while the collection lock is still held, so nothing that leaves the collection
 * aliases a stored document. Updates, findAndModify and deletes still see the stored objects (they
 * mutate or locate them): {@code live} counts those calls, and findAndModify copies the document
 * it returns. The library's classes are unchanged; only its protected extension points are used.
 * Reproducer: test/integration/mongo-torn-read.test.ts. infra/stack compiles every {@code .java} file
 * of infra/mongo into a directory keyed by their hash, so any edit here recompiles the launcher.
 *
 * <h2>Why the H2 backend commits on every write</h2>
 *
 * <p>Left alone, the H2 backend acknowledged writes that MVStore had not yet written to its file
 * (it commits in the background about once a second), so a killed server lost them. See {@link
 * CommitBeforeAck} for what it guarantees now and what it can still lose.
 *
 * <h2>Why {@code queryDocuments} is overridden: {@code _id} lookups</h2>
 *
 * <p>{@code AbstractMongoCollection.queryDocuments} uses an index only when {@code
 * Index.canHandle(filter)} holds, and {@code AbstractUniqueIndex.canHandle} requires the filter's key
 * set to <em>equal</em> the index's keys. A compare-and-set filter such as {@code {_id, tenantId,
 * version}} therefore scans the whole collection (~2k updates/s at 2,000 documents instead of
 * ~12k). Real MongoDB uses the {@code _id} index for any filter with an {@code _id} equality. Every
 * query, update, findAndModify, delete, count and distinct goes through {@code queryDocuments}, so
 * the overrides below (helpers {@code idFilters}, {@code idIndex}) cover all of them: when the
 * filter has further keys and a plain {@code _id} value (string or ObjectId, not an operator
 * document), or an {@code _id: {$in: [...]}} of plain values (the job store's batched reads, ADR
 * 0004), they fetch those documents' positions from the {@code _id} index and hand them to the
 * library's own {@code matchDocuments(query, positions, ...)}, which applies the full filter (and
 * sort, skip, limit, projection) to them, so the result is the same as a scan's: top-level keys are
 * ANDed and an {@code _id} is never an array, so no other document can match. Anything else takes the library's
 * path, and the snapshot copies above are unaffected ({@code createQueryResult} still runs).
 * Test: test/integration/mongo-id-lookup.test.ts.
 */
public final class SluiceMongoServer {
  private SluiceMongoServer() {}

  private static void usage(String problem) {
    System.err.println("SluiceMongoServer: " + problem);
    System.err.println(
        "usage: SluiceMongoServer [--host 127.0.0.1] [--port 27017] [--backend memory|h2] [--file path] [--oplog]"
            + " [--mongo-version 4.4|5.0|6.0|7.0]");
    System.exit(2);
  }

  public static void main(String[] args) throws Exception {
    String host = "127.0.0.1";
    int port = 27017;
    String backendName = "memory";
    String file = null;
    boolean oplog = false;
    String mongoVersion = "5.0";
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      switch (a) {
        case "--host" -> host = value(args, ++i, a);
        case "--port" -> port = Integer.parseInt(value(args, ++i, a));
        case "--backend" -> backendName = value(args, ++i, a);
        case "--file" -> file = value(args, ++i, a);
        case "--oplog" -> oplog = true;
        case "--no-oplog" -> oplog = false; // the default; accepted for old command lines
        case "--mongo-version" -> mongoVersion = value(args, ++i, a);
        default -> usage("unknown argument " + a);
      }
    }
    if (!host.equals("127.0.0.1") && !host.equals("::1") && !host.equals("localhost")) {
      usage("refusing to listen on non-loopback host " + host);
    }

    MongoBackend backend;
    if (backendName.equals("memory")) {
      backend = new SnapshotMemoryBackend();
    } else if (backendName.equals("h2")) {
      if (file == null) usage("--backend h2 needs --file <path>");
      backend = new SnapshotH2Backend(file);
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

  private static List<Document> deepCopies(List<Document> documents) {
    List<Document> copies = new ArrayList<>(documents.size());
    for (Document document : documents) copies.add(document.cloneDeeply());
    return copies;
  }

  /** findAndModify's reply holds the stored document itself when {@code new: true}. */
  private static Document copyValue(Document findAndModifyReply) {
    if (findAndModifyReply.get("value") instanceof Document value) {
      findAndModifyReply.put("value", value.cloneDeeply());
    }
    return findAndModifyReply;
  }

  /**
   * The {@code _id} lookups that can serve {@code query} from the {@code _id} index, one {@code
   * {_id: value}} per value, or null when {@code query} should take the library's path. Qualifies: a
   * plain string/ObjectId {@code _id} next to other keys (a filter that is just {@code {_id}} already
   * matches the {@code _id} index exactly), or {@code _id: {$in: [...]}} of plain values only
   * (the job store's batched reads): anywhere else the library scans the collection.
   */
  private static List<Document> idFilters(Document query, String idField) {
    if (query == null) return null;
    Object id = query.get(idField);
    if (isPlainId(id)) return query.size() < 2 ? null : List.of(new Document(idField, id));
    if (!(id instanceof Document clause) || clause.size() != 1) return null;
    if (!(clause.get("$in") instanceof Collection<?> values) || values.isEmpty()) return null;
    List<Document> lookups = new ArrayList<>(values.size());
    Set<Object> seen = new HashSet<>();
    for (Object v : values) {
      if (!isPlainId(v)) return null;
      if (seen.add(v)) lookups.add(new Document(idField, v));
    }
    return lookups;
  }

  private static boolean isPlainId(Object id) {
    return id instanceof String || id instanceof ObjectId;
  }

  /** The positions of the documents {@code lookups} name (each at most once), from {@code index}. */
  private static <P> List<P> positions(Index<P> index, List<Document> lookups) {
    List<P> out = new ArrayList<>(lookups.size());
    for (Document lookup : lookups) {
      for (P position : index.getPositions(lookup)) out.add(position);
    }
    return out;
  }

  /** The collection's {@code _id} index if it can serve {@code idFilter} (one of the lookups). */
  private static <P> Index<P> idIndex(List<Index<P>> indexes, Document idFilter, String idField) {
    for (Index<P> index : indexes) {
      List<IndexKey> keys = index.getKeys();
      if (keys.size() == 1
          && keys.get(0).getKey().equals(idField)
          && index.isUnique()
          && index.canHandle(idFilter)) {
        return index;
      }
    }
    return null;
  }

  static final class SnapshotMemoryBackend extends MemoryBackend {
    @Override
    public MemoryDatabase openOrCreateDatabase(String databaseName) {
      return new MemoryDatabase(databaseName, getCursorRegistry()) {
        @Override
        protected MemoryCollection openOrCreateCollection(String name, CollectionOptions options) {
          return new SnapshotMemoryCollection(this, name, options, cursorRegistry);
        }
      };
    }
  }

  /** See the class comment. Every method that touches {@code live} holds the collection lock. */
  static final class SnapshotMemoryCollection extends MemoryCollection {
    private int live;

    SnapshotMemoryCollection(
        MongoDatabase database, String name, CollectionOptions options, CursorRegistry cursors) {
      super(database, name, options, cursors);
    }

    @Override // see the class comment: filters with an _id equality use the _id index
    protected QueryResult queryDocuments(
        Document query, Document orderBy, int skip, int limit, int batchSize, Document projection) {
      List<Document> lookups = idFilters(query, getIdField());
      Index<Integer> index =
          lookups == null ? null : idIndex(getIndexes(), lookups.get(0), getIdField());
      if (index == null) {
        return super.queryDocuments(query, orderBy, skip, limit, batchSize, projection);
      }
      return matchDocuments(
          query, positions(index, lookups), orderBy, skip, limit, batchSize, projection);
    }

    @Override
    protected QueryResult createQueryResult(List<Document> matched, int batchSize) {
      return super.createQueryResult(live > 0 ? matched : deepCopies(matched), batchSize);
    }

    @Override
    public synchronized Document updateDocuments(
        Document selector,
        Document update,
        ArrayFilters filters,
        boolean multi,
        boolean upsert,
        Oplog oplog) {
      live++;
      try {
        return super.updateDocuments(selector, update, filters, multi, upsert, oplog);
      } finally {
        live--;
      }
    }

    @Override
    public synchronized Document findAndModify(Document query) {
      live++;
      try {
        return copyValue(super.findAndModify(query));
      } finally {
        live--;
      }
    }

    @Override
    public synchronized int deleteDocuments(Document selector, int limit, Oplog oplog) {
      live++;
      try {
        return super.deleteDocuments(selector, limit, oplog);
      } finally {
        live--;
      }
    }

    @Override // the library leaves this one unsynchronized; it reaches createQueryResult
    public synchronized int count(Document query, int skip, int limit) {
      return super.count(query, skip, limit);
    }
  }

  /**
   * H2Backend with {@link SnapshotH2Collection}s (the map names are those of H2Database) that
   * commits every write before acknowledging it ({@link CommitBeforeAck}).
   */
  static final class SnapshotH2Backend extends H2Backend {
    private final CommitBeforeAck commits;

    SnapshotH2Backend(String file) {
      super(file);
      commits = new CommitBeforeAck(getMvStore());
    }

    @Override
    public Document handleCommand(
        Channel channel, String databaseName, String command, Document query) {
      if (!CommitBeforeAck.isWrite(command, query)) {
        return super.handleCommand(channel, databaseName, command, query);
      }
      return commits.write(
          () -> super.handleCommand(channel, databaseName, command, query),
          CommitBeforeAck.journaled(command, query));
    }

    @Override
    public void close() {
      commits.close();
      super.close();
    }

    @Override
    protected MongoDatabase openOrCreateDatabase(String databaseName) {
      MVStore store = getMvStore();
      return new H2Database(databaseName, store, getCursorRegistry()) {
        @Override
        protected MongoCollection<Object> openOrCreateCollection(
            String name, CollectionOptions options) {
          String fullName = getFullCollectionNamespace(name);
          return new SnapshotH2Collection(
              this,
              name,
              options,
              store.openMap("databases." + fullName),
              store.openMap("meta." + fullName),
              cursorRegistry);
        }
      };
    }
  }

  /** The same overrides as {@link SnapshotMemoryCollection}. */
  static final class SnapshotH2Collection extends H2Collection {
    private int live;

    SnapshotH2Collection(
        MongoDatabase database,
        String name,
        CollectionOptions options,
        MVMap<Object, Document> data,
        MVMap<String, Object> meta,
        CursorRegistry cursors) {
      super(database, name, options, data, meta, cursors);
    }

    @Override // see the class comment: filters with an _id equality use the _id index
    protected QueryResult queryDocuments(
        Document query, Document orderBy, int skip, int limit, int batchSize, Document projection) {
      List<Document> lookups = idFilters(query, getIdField());
      Index<Object> index =
          lookups == null ? null : idIndex(getIndexes(), lookups.get(0), getIdField());
      if (index == null) {
        return super.queryDocuments(query, orderBy, skip, limit, batchSize, projection);
      }
      return matchDocuments(
          query, positions(index, lookups), orderBy, skip, limit, batchSize, projection);
    }

    @Override
    protected QueryResult createQueryResult(List<Document> matched, int batchSize) {
      return super.createQueryResult(live > 0 ? matched : deepCopies(matched), batchSize);
    }

    @Override
    public synchronized Document updateDocuments(
        Document selector,
        Document update,
        ArrayFilters filters,
        boolean multi,
        boolean upsert,
        Oplog oplog) {
      live++;
      try {
        return super.updateDocuments(selector, update, filters, multi, upsert, oplog);
      } finally {
        live--;
      }
    }

    @Override
    public synchronized Document findAndModify(Document query) {
      live++;
      try {
        return copyValue(super.findAndModify(query));
      } finally {
        live--;
      }
    }

    @Override
    public synchronized int deleteDocuments(Document selector, int limit, Oplog oplog) {
      live++;
      try {
        return super.deleteDocuments(selector, limit, oplog);
      } finally {
        live--;
      }
    }

    @Override
    public synchronized int count(Document query, int skip, int limit) {
      return super.count(query, skip, limit);
    }
  }
}
